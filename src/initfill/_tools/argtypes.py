"""argparse ``type=`` converters shared by the subcommands: text -> value, or an
:class:`argparse.ArgumentTypeError` whose message argparse prints (exit status 2)."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

import initfill

__all__ = ["checked", "finite_seconds", "list_of", "positive", "seed", "thread_count"]

T = TypeVar("T")


def checked(parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a parser that raises ValueError on bad text."""
    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


def _number(text: str, kind: Callable[[str], T], what: str) -> T:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None


def positive(text: str) -> int:
    """An integer >= 1."""
    v = _number(text, int, "an integer")
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def seed(text: str) -> int:
    """A 64-bit seed, in any base Python reads (``0x2a``)."""
    v = _number(text, lambda t: int(t, 0), "an integer")
    if not 0 <= v < 1 << 64:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**64), got {v}")
    return v


def thread_count(text: str) -> int:
    """A thread count initfill accepts: 1 to :data:`initfill.MAX_THREADS`."""
    v = positive(text)
    if v > initfill.MAX_THREADS:
        raise argparse.ArgumentTypeError(f"must be <= {initfill.MAX_THREADS}, got {v}")
    return v


def finite_seconds(text: str) -> float:
    """A finite number of seconds >= 0."""
    v = _number(text, float, "a number")
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return v


def list_of(parse: Callable[[str], T], what: str) -> Callable[[str], tuple[T, ...]]:
    """An argparse type: a comma-separated list, each item through ``parse``."""
    def convert(text: str) -> tuple[T, ...]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"empty list of {what}")
        try:
            return tuple(parse(t) for t in items)
        except (ValueError, argparse.ArgumentTypeError) as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert
