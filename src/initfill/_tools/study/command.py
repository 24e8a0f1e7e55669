"""``initfill study``: its options and what running it does."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .. import argtypes
from ..output import error
from ..plotting import MatplotlibMissing
from .experiment import run_study
from .network import ACTIVATIONS
from .report import format_table, plot_study
from .specs import DEFAULT_INITS, SPEC_HELP

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Run ``initfill study`` with parsed ``args``; return the exit status."""
    if args.torch_model is not None:
        return _run_torch(args)
    if args.batch_shape is not None:
        error("study", "--batch-shape goes with --torch-model")
        return 2
    try:
        result = run_study(args.depth, args.width, args.activation,
                           args.init or ",".join(DEFAULT_INITS), batch=args.batch,
                           seed=args.seed)
    except (ValueError, TypeError) as e:
        error("study", str(e))
        return 2
    print(format_table(result))
    return _plot(args, plot_study, result)


def _run_torch(args: argparse.Namespace) -> int:
    """``initfill study --torch-model``: torch is imported only here."""
    try:
        from . import torch_model
    except ImportError as e:
        error("study", f"--torch-model needs torch: {e}")
        return 2
    if args.batch_shape is None:
        error("study", "--torch-model needs --batch-shape, e.g. --batch-shape 64,3,32,32")
        return 2
    try:
        result = torch_model.run_torch_study(
            args.torch_model, torch_model.parse_shape(args.batch_shape),
            args.init or ",".join(torch_model.DEFAULT_TORCH_INITS), seed=args.seed)
    except (ValueError, TypeError) as e:
        error("study", str(e))
        return 2
    print(torch_model.format_torch_table(result))
    return _plot(args, torch_model.plot_torch_study, result)


def _plot(args: argparse.Namespace, plot: Callable[[Any, str], None], result: Any) -> int:
    """Write ``--plot`` (if asked for) with ``plot``; return the exit status."""
    if args.plot:
        try:
            plot(result, args.plot)
        except MatplotlibMissing as e:
            error("study", f"{e} (the table above is complete)")
            return 1
        except OSError as e:
            error("study", f"cannot write {args.plot!r}: {e}")
            return 1
        print(f"\nwrote {args.plot}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``study`` subcommand to the ``initfill`` parser."""
    p = sub.add_parser(
        "study",
        help="push random inputs through a deep MLP per initializer; show how the "
             "signal and the gradients grow or vanish with depth",
        description="The depth experiment: a NumPy MLP (biases zero, weights filled by "
                    "initfill) takes a batch of N(0, 1) inputs; for each initializer "
                    "it prints, per layer, the std of the activations, of the "
                    "back-propagated gradients and of the weight gradients (loss: "
                    "half the mean squared error to N(0, 1) targets).",
        epilog="init specs: " + SPEC_HELP + ".  Example: initfill study --depth 9 "
               "--width 256 --activation tanh --init zeros,normal:0.01,normal:1.0,"
               "xavier,he --plot study.png; initfill study --torch-model mypkg.models:make_cnn "
               "--batch-shape 64,3,32,32 --plot cnn.png",
    )
    p.add_argument("--depth", type=argtypes.positive, default=9,
                   help="number of layers (default 9)")
    p.add_argument("--width", type=argtypes.positive, default=256,
                   help="units per layer and input features (default 256)")
    p.add_argument("--batch", type=argtypes.positive, default=256,
                   help="number of random inputs (default 256)")
    p.add_argument("--activation", default="tanh", metavar="NAME",
                   help=f"one of {', '.join(ACTIVATIONS)}; leaky_relu:SLOPE "
                        "(default tanh)")
    p.add_argument("--init", default=None, metavar="SPECS",
                   help=f"comma-separated init specs (default {','.join(DEFAULT_INITS)}; "
                        "with --torch-model: torch,normal:0.01,xavier,he,lsuv, forms: "
                        "torch, normal:STD, xavier, he, orthogonal, lsuv)")
    p.add_argument("--seed", type=argtypes.seed, default=0, help="seed (default 0)")
    p.add_argument("--torch-model", metavar="PKG.MOD:FACTORY", default=None,
                   help="instead of the MLP, call FACTORY() for a torch model per init "
                        "spec and report initfill.torch.activation_stats (needs torch)")
    p.add_argument("--batch-shape", metavar="N,C,...", default=None,
                   help="with --torch-model: the shape of the N(0, 1) input batch, "
                        "e.g. 64,3,32,32")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="also write a log-scale plot (needs matplotlib)")
    p.set_defaults(func=run)
