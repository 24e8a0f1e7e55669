"""``initfill checkpoint``: its options and what running it does."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import time
from pathlib import Path

from .. import argtypes
from ..bench.options import parse_size
from ..output import error

__all__ = ["add_parser", "run"]

DTYPES = ("float32", "bfloat16", "float16", "float64")
_SHARD = re.compile(r"^model-\d{5}-of-\d{5}\.safetensors$")
_PROGRESS = {"auto": True, "always": "always", "never": False}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``checkpoint`` subcommand to the ``initfill`` parser."""
    p = sub.add_parser(
        "checkpoint",
        help="write a random-weight safetensors checkpoint of a transformers config or "
             "a torch model, without the model in memory",
        description="Builds the model on the meta device (transformers' "
                    "AutoModelForCausalLM.from_config for --hf-config, or a factory of "
                    "yours) and streams a safetensors checkpoint of its initial values "
                    "(initfill.torch.save_random: the values init_module_ gives it) into "
                    "OUT: model.safetensors, or shards and model.safetensors.index.json "
                    "with --max-shard-size, and the config copied beside them, so that "
                    "from_pretrained(OUT) loads it.",
        epilog="Examples: initfill checkpoint --hf-config llama/config.json --out ckpt "
               "--dtype bfloat16 --max-shard-size 5GB;  initfill checkpoint "
               "--torch-module mymodels:big_mlp --out ckpt",
    )
    model = p.add_mutually_exclusive_group(required=True)
    model.add_argument("--hf-config", type=Path, metavar="CONFIG.JSON",
                       help="a transformers config file (needs the [hf] extra)")
    model.add_argument("--torch-module", metavar="PKG.MOD:FACTORY",
                       help="a function returning the torch model (called on the meta "
                            "device; the current directory is searched)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="the checkpoint folder (created if missing)")
    p.add_argument("--dtype", choices=DTYPES, default=None,
                   help="store the floating-point tensors in this dtype (default: the "
                        "model's own)")
    p.add_argument("--seed", type=argtypes.seed, default=0, help="seed (default 0)")
    p.add_argument("--scheme", choices=("auto", "torch", "normal"), default="auto",
                   help="init_module_'s scheme: torch (each layer's own default init, "
                        "which needs every layer to be a torch layer or to have its own "
                        "reset_parameters) or normal (N(0, --std) weights, zero biases, "
                        "ones for norms: transformers' own init, for any model); default "
                        "auto: normal for --hf-config, torch for --torch-module")
    p.add_argument("--std", type=float, default=None,
                   help="the std of --scheme normal (default: the config's "
                        "initializer_range for --hf-config, else 0.02)")
    p.add_argument("--max-shard-size", default=None, metavar="SIZE",
                   help="split into shards of at most SIZE: 5GB, 500MB (decimal, as "
                        "transformers), 2GiB or bytes")
    p.add_argument("--chunk-size", type=argtypes.checked(parse_size), default=64 << 20,
                   metavar="BYTES",
                   help="bytes per write buffer, two of them (K/M/G = 2**10/20/30; "
                        "default 64M)")
    p.add_argument("--progress", choices=tuple(_PROGRESS), default="auto",
                   help="progress bar on stderr (default auto: when it is a terminal)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the checkpoint files already in OUT")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the checkpoint; return the exit status (2 for a bad model or option, 1
    when something cannot be imported or written)."""
    try:
        import initfill.torch as it

        from . import models
    except ImportError as e:
        error("checkpoint", f"needs torch and safetensors (pip install initfill[torch]): {e}")
        return 1
    out: Path = args.out
    config_copy = out / "config.json"
    if args.hf_config is not None and config_copy.exists() and not args.overwrite \
            and not _same_file(args.hf_config, config_copy):
        error("checkpoint", f"{config_copy} exists; pass --overwrite to replace it")
        return 1
    try:
        if args.hf_config is not None:
            model = models.hf_model(args.hf_config)
        else:
            model = models.torch_module(args.torch_module)
    except ImportError as e:
        error("checkpoint", f"--hf-config needs transformers (pip install initfill[hf]): {e}")
        return 1
    except ValueError as e:
        error("checkpoint", str(e))
        return 2
    scheme = args.scheme
    if scheme == "auto":
        scheme = "normal" if args.hf_config is not None else "torch"
    options = {}
    if scheme == "normal":
        options["std"] = args.std if args.std is not None else (
            models.hf_init_std(model) if args.hf_config is not None else models.HF_DEFAULT_STD)
    elif args.std is not None:
        error("checkpoint", "--std goes with --scheme normal")
        return 2
    start = time.perf_counter()
    try:
        out.mkdir(parents=True, exist_ok=True)
        target = out if args.max_shard_size is not None else out / "model.safetensors"
        written = it.save_random(
            model, target, seed=args.seed, scheme=scheme, dtype=args.dtype,
            metadata={"format": "pt"}, max_shard_size=args.max_shard_size,
            progress=_PROGRESS[args.progress], overwrite=args.overwrite,
            chunk_bytes=args.chunk_size, **options)
    except (ValueError, TypeError) as e:
        error("checkpoint", str(e))
        return 2
    except OSError as e:
        error("checkpoint", str(e))
        return 1
    seconds = time.perf_counter() - start
    if args.overwrite and args.max_shard_size is None:
        _remove_stale_shards(out)
    if args.hf_config is not None and not _same_file(args.hf_config, config_copy):
        shutil.copyfile(args.hf_config, config_copy)
    size = sum(p.stat().st_size for p in out.iterdir() if p.name.endswith(".safetensors"))
    print(f"wrote {written}: {size / 1e9:.3f} GB in {seconds:.1f} s "
          f"({size / 1e9 / max(seconds, 1e-9):.2f} GB/s)")
    return 0


def _remove_stale_shards(out: Path) -> None:
    """The shards and index of an earlier sharded save into `out` (save_random
    removes them itself only when it writes shards)."""
    for p in out.iterdir():
        if p.name == "model.safetensors.index.json" or _SHARD.match(p.name):
            p.unlink()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
