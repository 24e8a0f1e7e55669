"""The ``initfill`` command line: ``initfill SUBCOMMAND [options]``.

Each subcommand is one ``_add_<name>(subparsers)`` function that adds its parser
and sets ``func`` to the function that runs it (``args -> exit status``); adding a
subcommand is adding such a function to :data:`_SUBCOMMANDS`.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

__all__ = ["build_parser", "main"]


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= v < 1 << 64:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**64), got {v}")
    return v


# --- study ----------------------------------------------------------------------------

def _run_study(args: argparse.Namespace) -> int:
    from ._study import MatplotlibMissing, format_table, plot_study, run_study

    try:
        result = run_study(args.depth, args.width, args.activation, args.init,
                           batch=args.batch, seed=args.seed)
    except (ValueError, TypeError) as e:
        print(f"initfill study: error: {e}", file=sys.stderr)
        return 2
    print(format_table(result))
    if args.plot:
        try:
            plot_study(result, args.plot)
        except MatplotlibMissing as e:
            print(f"initfill study: error: {e} (the table above is complete)",
                  file=sys.stderr)
            return 1
        except OSError as e:
            print(f"initfill study: error: cannot write {args.plot!r}: {e}", file=sys.stderr)
            return 1
        print(f"\nwrote {args.plot}")
    return 0


def _add_study(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ._study import ACTIVATIONS, DEFAULT_INITS, _SPEC_HELP

    p = sub.add_parser(
        "study",
        help="push random inputs through a deep MLP per initializer; show how the "
             "signal and the gradients grow or vanish with depth",
        description="The depth experiment: a NumPy MLP (biases zero, weights filled by "
                    "initfill) takes a batch of N(0, 1) inputs; for each initializer "
                    "it prints, per layer, the std of the activations, of the "
                    "back-propagated gradients and of the weight gradients (loss: "
                    "half the mean squared error to N(0, 1) targets).",
        epilog="init specs: " + _SPEC_HELP + ".  Example: initfill study --depth 9 "
               "--width 256 --activation tanh --init zeros,normal:0.01,normal:1.0,"
               "xavier,he --plot study.png",
    )
    p.add_argument("--depth", type=_positive, default=9, help="number of layers (default 9)")
    p.add_argument("--width", type=_positive, default=256,
                   help="units per layer and input features (default 256)")
    p.add_argument("--batch", type=_positive, default=256,
                   help="number of random inputs (default 256)")
    p.add_argument("--activation", default="tanh", metavar="NAME",
                   help=f"one of {', '.join(ACTIVATIONS)}; leaky_relu:SLOPE "
                        "(default tanh)")
    p.add_argument("--init", default=",".join(DEFAULT_INITS), metavar="SPECS",
                   help=f"comma-separated init specs (default {','.join(DEFAULT_INITS)})")
    p.add_argument("--seed", type=_seed, default=0, help="seed (default 0)")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="also write a log-scale plot (needs matplotlib)")
    p.set_defaults(func=_run_study)


_AddSubcommand = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

#: One function per subcommand; a later ``bench`` is one more ``_add_bench`` here.
_SUBCOMMANDS: tuple[_AddSubcommand, ...] = (_add_study,)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``initfill`` argument parser with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
    """
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="initfill",
        description="initfill: fast, bit-reproducible in-place initialization.",
    )
    parser.add_argument("--version", action="version", version=f"initfill {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
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
