"""The ``initfill`` command line: ``initfill SUBCOMMAND [options]``.

Each subcommand is one ``add_parser(subparsers)`` function (in its own package's
``command`` module) that adds its parser and sets ``func`` to the function that runs
it (``args -> exit status``); adding a subcommand is adding such a function to
:data:`SUBCOMMANDS`.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

import initfill

from .bench import command as bench_command
from .checkpoint import command as checkpoint_command
from .study import command as study_command

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

AddSubcommand = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

#: One function per subcommand, in the order ``initfill --help`` lists them.
SUBCOMMANDS: tuple[AddSubcommand, ...] = (study_command.add_parser,
                                          bench_command.add_parser,
                                          checkpoint_command.add_parser)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``initfill`` argument parser with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="initfill",
        description="initfill: fast, bit-reproducible in-place initialization.",
    )
    parser.add_argument("--version", action="version",
                        version=f"initfill {initfill.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``initfill`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 1 when a requested output could not be
        written (e.g. ``--plot`` without matplotlib), 2 for bad arguments.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except BrokenPipeError:                 # e.g. `initfill study | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
