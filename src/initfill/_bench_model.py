"""``initfill bench --model``: the whole-model benchmark of :mod:`initfill._model_bench`
run from the command line, with its JSON and plot."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import Any

from ._model_bench import MODEL_SIZES, format_model_bench, model_bench

__all__ = ["plot_model", "run_model_cli"]

_BARS = (("torch: meta -> to_empty -> reset_parameters", "meta_to_empty_reset_parameters"),
         ("initfill: meta -> to_empty -> init_module_", "meta_to_empty_init_module"),
         ("torch: construction", "construct_torch"),
         ("initfill: construction inside patch()", "construct_patch"),
         ("floor: meta -> to_empty -> zero_()", "meta_to_empty_zero"))


def plot_model(res: dict[str, Any], path: str, title: str) -> None:
    """Write the model timings as a horizontal bar chart (seconds, wall clock).

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed.
    OSError
        The file cannot be written.
    """
    from ._bench import _figure

    Figure = _figure()
    bars = [(label, res[key]) for label, key in _BARS if key in res]
    fig = Figure(figsize=(9, 0.5 * len(bars) + 1.5), layout="constrained")
    ax = fig.subplots()
    ax.barh([b[0] for b in bars][::-1], [b[1] for b in bars][::-1])
    ax.set_xlabel("seconds (wall clock, lower is better)")
    ax.set_title(title, fontsize="medium")
    fig.savefig(path, dpi=110)


def run_model_cli(args: argparse.Namespace, machine: dict[str, Any]) -> int:
    """Run the model benchmark for ``initfill bench --model``; return the exit status.

    Uses the largest of ``--threads`` for both initfill and torch, ``--repeat``
    (default 1; the best time is reported), and ``--model-size``/``--model-layers``.
    """
    if importlib.util.find_spec("torch") is None:
        print("initfill bench: error: --model needs PyTorch, which is not installed: "
              "pip install torch", file=sys.stderr)
        return 1
    import torch

    import initfill

    dims: dict[str, Any] = dict(MODEL_SIZES[args.model_size])
    if args.model_layers is not None:
        dims["layers"] = args.model_layers
    threads = max(args.threads)
    before, torch_before = initfill.get_num_threads(), torch.get_num_threads()
    cost = " (1b: tens of seconds, 4 GB)" if args.model_size == "1b" else ""
    print(f"model benchmark ({args.model_size}, {dims['layers']} layers) on "
          f"{threads} thread(s) ...{cost}", file=sys.stderr, flush=True)
    try:
        initfill.set_num_threads(threads)
        torch.set_num_threads(threads)
        res = model_bench(**dims, repeat=args.repeat or 1)
    finally:
        initfill.set_num_threads(before)
        torch.set_num_threads(torch_before)
    print(format_model_bench(res))
    try:
        if args.json:
            from ._bench import write_json

            write_json({"machine": machine,
                        "options": {"model_size": args.model_size, **dims,
                                    "threads": threads, "repeat": args.repeat or 1},
                        "model": res}, args.json)
            print(f"\nwrote {args.json}")
        if args.plot:
            plot_model(res, args.plot, f"initfill bench --model: {res['params'] / 1e9:.3f}B "
                                       f"parameters, {machine['cpu']}, {threads} threads")
            print(f"\nwrote {args.plot}")
    except OSError as e:
        print(f"initfill bench: error: cannot write: {e}", file=sys.stderr)
        return 1
    return 0
