"""Parameters: the cheap type checks Python makes, and the messages of C's rules.

The value rules of the fills' parameters (finite, ``std >= 0``, ``low <= high``, fits
the dtype, ...) live only in C (``initfill_plan_init``), which reports which
parameter broke which rule; :func:`plan_error` words that with the caller's names.
Python checks only what C cannot see: that a parameter is a real number at all, and
the parameters that never reach C (gains, scales, constants).
"""
from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np

from . import _core
from ._buffers import CODE_NAMES

# How the text of a rule about two parameters names the second (initfill.h).
_NEXT = "the next parameter"


def integer(name: str, value: Any, expected: str = "an int") -> int:
    """``value`` as an int (not a bool), with a TypeError naming ``name`` and saying
    what was `expected` otherwise."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be {expected}, got bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}") from None


def _a(noun: str) -> str:
    """`noun` with its indefinite article."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def real(name: str, value: Any) -> float:
    """``value`` as a float: a TypeError naming ``name`` if it is not real, a
    ValueError if it is a real (a huge int or Fraction) beyond float64's range."""
    if type(value) is float:
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        pass
    elif isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
        pass
    else:
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        # Never format the value itself: str() of an int over 4300 digits raises.
        raise ValueError(
            f"{name} must be a finite number within float64's range (|{name}| < 1.8e308), "
            f"got {_a(type(value).__name__)} beyond it"
        ) from None


def finite(name: str, value: Any) -> float:
    """``value`` as a finite float; TypeError/ValueError naming ``name`` otherwise.

    For the parameters Python uses itself (gains, scales, constants); the fills'
    own parameters are checked by C.
    """
    if type(value) is float and math.isfinite(value):
        return value
    v = real(name, value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


def plan_error(plan: _core.Plan, names: tuple[str, ...], params: tuple[float, ...],
               code: int) -> ValueError:
    """The ValueError of a refused plan, naming the caller's argument(s).

    Parameters
    ----------
    plan : _core.Plan
        A plan whose ``status`` is not 0.
    names : tuple of str
        The caller's names of ``params`` (e.g. ``("a", "b")`` for torch's uniform_).
    params : tuple of float
        The parameters given to the plan.
    code : int
        The output's C type.
    """
    i, rule = plan.err_param, plan.err_rule
    if not 0 <= i < len(names):
        return ValueError(f"{', '.join(names)}: {_core.status_message(plan.status)}")
    text = _core.rule_message(rule)
    involved = [i]
    if _NEXT in text and i + 1 < len(names):
        text = text.replace(_NEXT, names[i + 1])
        involved.append(i + 1)
    given = ", ".join(f"{names[j]}={params[j]!r}" for j in involved)
    return ValueError(f"{names[i]} {text}, got {given} ({CODE_NAMES[code]} output)")
