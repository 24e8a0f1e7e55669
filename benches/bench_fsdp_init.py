"""Per-rank time and peak memory of initializing an FSDP2-sharded Llama-shaped model:
initfill's ``init_module_`` against FSDP2's own init (each module's
``reset_parameters()`` on its DTensor parameters, torch's RNG), on one CPU gloo mesh.

    torchrun --standalone --nproc-per-node 2 benches/bench_fsdp_init.py --size 1b --method initfill
    torchrun --standalone --nproc-per-node 1 benches/bench_fsdp_init.py --size 1b --method torch

One method per run, so that each run's peak RSS (``ru_maxrss``) is that method's.
Each rank prints one line: its shard's parameters and bytes, the seconds of
``to_empty`` and of the init, and its peak RSS after ``to_empty`` and after the init.
The threads per rank are the cores divided by the ranks (``--threads`` to choose).
"""
from __future__ import annotations

if __name__ != "__main__":  # benches/conftest.py collects bench_*.py for pytest-benchmark
    import pytest
    pytest.skip("a torchrun script (see its docstring), not a pytest benchmark",
                allow_module_level=True)

import argparse
import importlib.util
import os
import resource
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh

import initfill
import initfill.torch as it

_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fsdp_init.py"


def _example():
    spec = importlib.util.spec_from_file_location("fsdp_init_example", _EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def torch_reset(model: torch.nn.Module) -> None:
    """FSDP2's own init: every module's reset_parameters() on its sharded parameters."""
    with torch.no_grad():
        for m in model.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1b", choices=["small", "default", "1b"])
    parser.add_argument("--method", default="initfill", choices=["initfill", "torch"])
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per rank (default: cores / ranks)")
    args = parser.parse_args()
    ex = _example()
    dist.init_process_group("gloo")
    try:
        rank, world = dist.get_rank(), dist.get_world_size()
        threads = args.threads or max(1, (os.cpu_count() or 1) // world)
        torch.set_num_threads(threads)
        initfill.set_num_threads(threads)
        mesh = init_device_mesh("cpu", (world,))
        model = ex.sharded_on_meta(args.size, mesh)
        total = sum(p.numel() for p in model.parameters())
        t0 = time.perf_counter()
        model.to_empty(device="cpu")
        t_empty = time.perf_counter() - t0
        local = [p.to_local() for p in model.parameters()]
        n_local = sum(t.numel() for t in local)
        bytes_local = sum(t.numel() * t.element_size() for t in local)
        rss_empty = _peak_rss_mib()
        dist.barrier()
        t0 = time.perf_counter()
        if args.method == "initfill":
            it.init_module_(model, seed=0)
        else:
            torch_reset(model)
        t_init = time.perf_counter() - t0
        rss_init = _peak_rss_mib()
        dist.barrier()
        print(f"method={args.method} size={args.size} world={world} rank={rank} "
              f"threads={threads} params={total / 1e9:.3f}B local={n_local / 1e9:.3f}B "
              f"({bytes_local / 2**20:.0f} MiB) to_empty={t_empty:.2f}s "
              f"init={t_init:.2f}s peak_rss_after_to_empty={rss_empty:.0f}MiB "
              f"peak_rss_after_init={rss_init:.0f}MiB", flush=True)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
