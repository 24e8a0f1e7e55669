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
    from ._study import _SPEC_HELP, ACTIVATIONS, DEFAULT_INITS

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


# --- bench ----------------------------------------------------------------------------

def _list_of(parse: Callable[[str], object], what: str) -> Callable[[str], tuple]:
    """An argparse type: a comma-separated list, each item through ``parse``."""
    def convert(text: str) -> tuple:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"empty list of {what}")
        try:
            return tuple(parse(t) for t in items)
        except (ValueError, argparse.ArgumentTypeError) as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


def _size(text: str) -> int:
    from ._bench import parse_size

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _bench_dtype(text: str) -> str:
    from ._bench_cases import DTYPES

    name = {"bf16": "bfloat16", "f16": "float16", "f32": "float32",
            "f64": "float64"}.get(text.lower(), text.lower())
    if name not in DTYPES:
        raise argparse.ArgumentTypeError(
            f"unknown dtype {text!r} (known: {', '.join(DTYPES)})")
    return name


def _thread_count(text: str) -> int:
    v = _positive(text)
    if v > 1024:
        raise argparse.ArgumentTypeError(f"must be <= 1024, got {v}")
    return v


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return v


def _only(text: str) -> tuple[str, ...]:
    from ._bench import select_ops

    try:
        return select_ops([t.strip() for t in text.split(",") if t.strip()])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _check_writable(path: str) -> str | None:
    """None if ``path`` can be written, else the reason (the file is left as it was)."""
    existed = os.path.exists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as e:
        return e.strerror or str(e)
    if not existed:
        os.remove(path)
    return None


def _run_bench(args: argparse.Namespace) -> int:
    from ._bench import header
    from ._bench_machine import machine_info

    for opt, path in (("--json", args.json), ("--plot", args.plot)):
        why = _check_writable(path) if path else None
        if why:
            print(f"initfill bench: error: cannot write {opt} {path!r}: {why}",
                  file=sys.stderr)
            return 1
    if args.plot:
        from ._bench import MatplotlibMissing, _figure

        try:
            _figure()
        except MatplotlibMissing as e:
            print(f"initfill bench: error: {e}", file=sys.stderr)
            return 1
    info = machine_info()
    print(header(info), flush=True)
    print(flush=True)
    if args.model:
        from ._bench_model import run_model_cli

        return run_model_cli(args, info)
    from ._bench import (
        BenchOptions,
        as_json,
        format_report,
        plot_bench,
        run_bench,
        write_json,
    )

    opts = BenchOptions(size=args.size, dtypes=tuple(dict.fromkeys(args.dtype)),
                        threads=tuple(sorted(set(args.threads))),
                        ops=args.only, repeat=args.repeat or 5,
                        max_seconds=args.max_seconds)
    result = run_bench(opts, progress=sys.stderr, machine=info)
    print(format_report(result))
    try:
        if args.json:
            write_json(as_json(result), args.json)
            print(f"\nwrote {args.json}")
        if args.plot:
            plot_bench(result, args.plot)
            print(f"\nwrote {args.plot}")
    except OSError as e:
        print(f"initfill bench: error: cannot write: {e}", file=sys.stderr)
        return 1
    return 0


def _add_bench(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ._bench_cases import DTYPES, OPS
    from ._bench_machine import available_cpus
    from ._model_bench import MODEL_SIZES

    cpus = available_cpus()
    default_threads = tuple(sorted({1, cpus}))
    p = sub.add_parser(
        "bench",
        help="time initfill's fills next to NumPy, SciPy, PyTorch and JAX (those "
             "installed) on this machine",
        description="Measures, on this machine, every distribution and initializer "
                    "x dtype x thread count, for initfill and for each installed peer "
                    "(NumPy always; SciPy, PyTorch, JAX when importable), plus "
                    "ndarray.fill on the same buffer (the store bandwidth) and fresh "
                    "memory (np.empty + fill next to np.ones). Prints the machine, "
                    "progress on stderr, and a table: ns per element, GB/s, the ratio "
                    "to initfill and the share of the store bandwidth. About a minute "
                    "at the defaults on 2 cores.",
        epilog="Examples: initfill bench --only normal,uniform --dtype float32,bfloat16 "
               "--threads 1,4 --json out.json;  initfill bench --model --model-size small",
    )
    p.add_argument("--size", type=_size, default=1 << 24, metavar="N",
                   help="elements per fill: 16777216, 2**24, 16M (K/M/G = 2**10/20/30) "
                        "(default 2**24)")
    p.add_argument("--dtype", type=_list_of(_bench_dtype, "dtypes"),
                   default=("float32", "float64"), metavar="LIST",
                   help=f"comma-separated, from {','.join(DTYPES)} (default "
                        "float32,float64); bits_ runs as uint32/uint64 with float32/64")
    p.add_argument("--threads", type=_list_of(_thread_count, "thread counts"),
                   default=default_threads, metavar="LIST",
                   help="comma-separated thread counts (default 1 and the "
                        f"{cpus} available CPUs: {','.join(map(str, default_threads))})")
    p.add_argument("--only", type=_only, default=OPS, metavar="LIST",
                   help="comma-separated; keep operations whose name contains one of "
                        f"them (e.g. 'normal' also keeps trunc_normal, xavier_normal...). "
                        f"Operations: {', '.join(OPS)}")
    p.add_argument("--repeat", type=_positive, default=None,
                   help="timed calls per measurement, median reported (default 5; "
                        "--model: 1, best reported)")
    p.add_argument("--max-seconds", type=_seconds, default=1.0, metavar="S",
                   help="cap per measurement: a slower one runs on fewer elements "
                        "(not below 2**20), its row says how many; 0: no cap "
                        "(default 1)")
    p.add_argument("--json", metavar="PATH", default=None,
                   help="also write the results as JSON")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="also write a bar chart (needs matplotlib)")
    p.add_argument("--model", action="store_true",
                   help="instead, time whole-model init of a Llama-shaped model "
                        "(needs torch): torch vs initfill.torch, and the first-touch "
                        "floor (--size, --dtype, --only, --max-seconds do not apply)")
    p.add_argument("--model-size", choices=tuple(MODEL_SIZES), default="1b",
                   help="model dimensions for --model (default 1b: ~0.95B parameters, "
                        "3.8 GB; small ~0.1B; tiny for tests)")
    p.add_argument("--model-layers", type=_positive, default=None, metavar="N",
                   help="override the number of blocks of --model-size")
    p.set_defaults(func=_run_bench)


_AddSubcommand = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

#: One function per subcommand.
_SUBCOMMANDS: tuple[_AddSubcommand, ...] = (_add_study, _add_bench)


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
