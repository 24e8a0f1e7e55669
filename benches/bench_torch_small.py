"""Per-call cost of the ``torch.nn.init`` drop-ins on a small tensor (16x16 float32, CPU),
torch's own functions and ``initfill.torch``'s side by side in one process.

On a small tensor the fill itself takes well under a microsecond: what is measured is
the overhead of a call (argument handling, fans, dispatch), which is what ``patch()``
pays per parameter on a model with many small ones (biases, norms).

As a plain script (prints microseconds per call, best of several timeit repeats)::

    PYTHONPATH=src python benches/bench_torch_small.py [--shape 16,16] [--number 20000]

Under pytest-benchmark, with the other benchmarks::

    python -m pytest benches/bench_torch_small.py --benchmark-only
"""
from __future__ import annotations

import argparse
import math
import timeit
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="the drop-in benchmark needs torch")

import initfill.torch as it  # noqa: E402

OPS = ("uniform_", "normal_", "kaiming_uniform_", "xavier_normal_", "trunc_normal_")
IMPLS = {"torch.nn.init": torch.nn.init, "initfill.torch": it}


def call(impl: str, op: str, tensor: Any) -> Callable[[], Any]:
    """A no-argument callable that runs `op` of `impl` on `tensor` once."""
    fn = getattr(IMPLS[impl], op)
    return lambda: fn(tensor)


def measure(shape: tuple[int, ...], number: int, repeat: int) -> dict[tuple[str, str], float]:
    """Best-of-`repeat` microseconds per call of every (implementation, op)."""
    tensor = torch.empty(shape)
    out = {}
    for op in OPS:
        for impl in IMPLS:  # interleaved, so both see the same machine load
            f = call(impl, op, tensor)
            f()
            best = min(timeit.repeat(f, number=number, repeat=repeat))
            out[impl, op] = best / number * 1e6
    return out


def _table(res: dict[tuple[str, str], float], shape: tuple[int, ...]) -> str:
    lines = [f"microseconds per call, {'x'.join(map(str, shape))} float32 CPU tensor, "
             f"torch {torch.__version__}, 1 thread",
             f"{'op':<18}{'torch.nn.init':>15}{'initfill.torch':>16}{'ratio':>8}"]
    for op in OPS:
        t, i = res["torch.nn.init", op], res["initfill.torch", op]
        lines.append(f"{op:<18}{t:>15.2f}{i:>16.2f}{i / t if t else math.nan:>8.2f}")
    return "\n".join(lines)


@pytest.mark.parametrize("impl", list(IMPLS))
@pytest.mark.parametrize("op", OPS)
def test_small_tensor(benchmark, impl: str, op: str) -> None:
    benchmark.group = f"{op} 16x16 float32"
    benchmark(call(impl, op, torch.empty(16, 16)))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shape", default="16,16", help="comma-separated shape (default 16,16)")
    p.add_argument("--number", type=int, default=20000, help="calls per repeat")
    p.add_argument("--repeat", type=int, default=7, help="repeats; the best is reported")
    args = p.parse_args(argv)
    shape = tuple(int(s) for s in args.shape.split(","))
    torch.set_num_threads(1)
    print(_table(measure(shape, args.number, args.repeat), shape))


if __name__ == "__main__":
    main()
