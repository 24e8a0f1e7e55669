"""``initfill bench``: its options and what running it does (the fill benchmark, or
with ``--model`` the whole-model one)."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from typing import Any

import initfill

from .. import argtypes
from ..output import check_writable, error, write_json
from ..plotting import MatplotlibMissing, figure_class
from .cases import DTYPES, OPS
from .machine import machine_info
from .model_init import MODEL_SIZES, format_model_bench, model_bench, plot_model
from .noise import SPREAD_THRESHOLD, load_average, machine_busy
from .options import BenchOptions, parse_size, select_ops
from .report import as_json, format_report, header, plot_bench
from .run import run_bench, thread_counts_restored

__all__ = ["add_parser", "run", "run_model"]

_DTYPE_ALIASES = {"bf16": "bfloat16", "f16": "float16", "f32": "float32", "f64": "float64"}


def _dtype(text: str) -> str:
    name = _DTYPE_ALIASES.get(text.lower(), text.lower())
    if name not in DTYPES:
        raise argparse.ArgumentTypeError(
            f"unknown dtype {text!r} (known: {', '.join(DTYPES)})")
    return name


def _spread_threshold(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not v >= 1.0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"not a ratio >= 1: {text!r}")
    return v


def _only(text: str) -> tuple[str, ...]:
    return select_ops([t.strip() for t in text.split(",") if t.strip()])


def _save(args: argparse.Namespace, doc: dict[str, Any],
          plot: Callable[[str], None]) -> int:
    """Write ``--json`` (``doc``) and ``--plot`` (through ``plot(path)``) where asked;
    return the exit status."""
    try:
        if args.json:
            write_json(doc, args.json)
            print(f"\nwrote {args.json}")
        if args.plot:
            plot(args.plot)
            print(f"\nwrote {args.plot}")
    except OSError as e:
        error("bench", f"cannot write: {e}")
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``initfill bench`` with parsed ``args``; return the exit status.

    The output files are checked first (and matplotlib, for ``--plot``), so that a
    run that could not save its results does not start.
    """
    for opt, path in (("--json", args.json), ("--plot", args.plot)):
        why = check_writable(path) if path else None
        if why:
            error("bench", f"cannot write {opt} {path!r}: {why}")
            return 1
    if args.plot:
        try:
            figure_class()
        except MatplotlibMissing as e:
            error("bench", str(e))
            return 1
    info = machine_info()
    print(header(info), flush=True)
    print(flush=True)
    if args.model:
        return run_model(args, info)
    opts = BenchOptions(size=args.size, dtypes=tuple(dict.fromkeys(args.dtype)),
                        threads=tuple(sorted(set(args.threads))),
                        ops=args.only, repeat=args.repeat or 5,
                        max_seconds=args.max_seconds,
                        spread_threshold=args.noise_threshold)
    result = run_bench(opts, progress=sys.stderr, machine=info)
    print(format_report(result))
    return _save(args, as_json(result), lambda path: plot_bench(result, path))


def run_model(args: argparse.Namespace, machine: dict[str, Any]) -> int:
    """Run the model benchmark for ``initfill bench --model``; return the exit status.

    Uses the largest of ``--threads`` for both initfill and torch, ``--repeat``
    (default 1; the best time is reported), and ``--model-size``/``--model-layers``.
    """
    if importlib.util.find_spec("torch") is None:
        error("bench", "--model needs PyTorch, which is not installed: pip install torch")
        return 1
    import torch

    dims: dict[str, Any] = dict(MODEL_SIZES[args.model_size])
    if args.model_layers is not None:
        dims["layers"] = args.model_layers
    threads = max(args.threads)
    cost = " (1b: tens of seconds, 4 GB)" if args.model_size == "1b" else ""
    print(f"model benchmark ({args.model_size}, {dims['layers']} layers) on "
          f"{threads} thread(s) ...{cost}", file=sys.stderr, flush=True)
    load = load_average()
    busy = machine_busy(load, machine["available_cpus"])
    with thread_counts_restored(with_torch=True):
        initfill.set_num_threads(threads)
        torch.set_num_threads(threads)
        res = model_bench(**dims, repeat=args.repeat or 1)
    print(format_model_bench(res))
    print(f"load average at start: {'unknown' if load is None else f'{load:.2f}'}"
          + (" -- BUSY: other work was running, the times may be slow" if busy else ""))
    doc = {"machine": machine, "noise": {"load_average_1min": load, "busy": busy},
           "options": {"model_size": args.model_size, **dims, "threads": threads,
                       "repeat": args.repeat or 1},
           "model": res}
    title = (f"initfill bench --model: {res['params'] / 1e9:.3f}B parameters, "
             f"{machine['cpu']}, {threads} threads")
    return _save(args, doc, lambda path: plot_model(res, path, title))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``bench`` subcommand to the ``initfill`` parser."""
    cpus = initfill.available_cpus()
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
    p.add_argument("--size", type=argtypes.checked(parse_size), default=1 << 24,
                   metavar="N",
                   help="elements per fill: 16777216, 2**24, 16M (K/M/G = 2**10/20/30) "
                        "(default 2**24)")
    p.add_argument("--dtype", type=argtypes.list_of(_dtype, "dtypes"),
                   default=("float32", "float64"), metavar="LIST",
                   help=f"comma-separated, from {','.join(DTYPES)} (default "
                        "float32,float64); bits_ runs as uint32/uint64 with float32/64")
    p.add_argument("--threads", type=argtypes.list_of(argtypes.thread_count, "thread counts"),
                   default=default_threads, metavar="LIST",
                   help="comma-separated thread counts (default 1 and the "
                        f"{cpus} available CPUs: {','.join(map(str, default_threads))})")
    p.add_argument("--only", type=argtypes.checked(_only), default=OPS, metavar="LIST",
                   help="comma-separated operation names, exact ('normal' is the "
                        "normal fill only) or shell patterns ('*normal', 'kaiming_*'). "
                        f"Operations: {', '.join(OPS)}")
    p.add_argument("--repeat", type=argtypes.positive, default=None,
                   help="timed calls per measurement, median reported (default 5; "
                        "--model: 1, best reported)")
    p.add_argument("--max-seconds", type=argtypes.finite_seconds, default=1.0, metavar="S",
                   help="time budget per row: its timed calls stop once they took S "
                        "seconds in all (at least one; the row says how many); every "
                        "row keeps --size; 0: always --repeat calls (default 1)")
    p.add_argument("--noise-threshold", type=_spread_threshold, default=SPREAD_THRESHOLD,
                   metavar="X",
                   help="flag a row NOISY when its slowest timed call took more than X "
                        f"times its fastest (default {SPREAD_THRESHOLD:g})")
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
    p.add_argument("--model-layers", type=argtypes.positive, default=None, metavar="N",
                   help="override the number of blocks of --model-size")
    p.set_defaults(func=run)
