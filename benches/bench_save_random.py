"""Write speed of ``initfill.torch.save_random`` next to the disk's own: ``dd`` of zeros
with ``oflag=direct`` and with ``conv=fsync`` (a plain buffered sequential write), and
``safetensors.torch.save_file`` of the same model built and initialized by torch,
side by side on the same disk, repeated in turns, medians reported.

Run from the repository root (a script, not a pytest module)::

    PYTHONPATH=src python benches/bench_save_random.py [--gib 2] [--repeat 5] [--dir DIR]

The model is a stack of ``nn.Linear(4096, 4096)`` layers (float32, 64 MiB each) of
about ``--gib`` GiB.  Every write is synced (``save_random`` syncs before its rename;
``save_file`` is followed by an ``fsync`` of its file), so the figures are the disk's,
not the page cache's.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

import initfill.torch as it

LAYER = 4096


def model(layers: int, device: str) -> nn.Module:
    with torch.device(device):
        return nn.Sequential(*[nn.Linear(LAYER, LAYER) for _ in range(layers)])


def dd(path: Path, count16: int, flag: str) -> float:
    start = time.perf_counter()
    subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=16M", f"count={count16}", flag],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def timed_save_random(path: Path, layers: int) -> float:
    m = model(layers, "meta")
    start = time.perf_counter()
    it.save_random(m, path, progress=False, overwrite=True)
    return time.perf_counter() - start


def timed_save_file(path: Path, layers: int) -> tuple[float, float]:
    start = time.perf_counter()
    m = model(layers, "cpu")                     # torch's own init, in memory
    built = time.perf_counter() - start
    start = time.perf_counter()
    save_file(m.state_dict(), path)
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    return built, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gib", type=float, default=2.0, help="checkpoint size (default 2)")
    ap.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    ap.add_argument("--dir", type=Path, default=None,
                    help="where to write (default: a temporary folder in the current one)")
    args = ap.parse_args()
    layers = max(1, round(args.gib * 2**30 / ((LAYER * LAYER + LAYER) * 4)))
    size = layers * (LAYER * LAYER + LAYER) * 4
    count16 = -(-size // (16 << 20))
    folder = Path(tempfile.mkdtemp(dir=args.dir or Path.cwd(), prefix=".bench_save_random-"))
    times: dict[str, list[float]] = {k: [] for k in (
        "dd oflag=direct", "dd conv=fsync", "save_random", "torch init (in RAM)",
        "save_file")}
    try:
        for r in range(args.repeat):
            for name in ("dd oflag=direct", "dd conv=fsync", "save_random", "save_file"):
                path = folder / f"{r}-{name.split()[0]}.bin"
                if name.startswith("dd"):
                    times[name].append(dd(path, count16, name.split()[1]))
                elif name == "save_random":
                    times[name].append(timed_save_random(path, layers))
                else:
                    built, saved = timed_save_file(path, layers)
                    times["torch init (in RAM)"].append(built)
                    times[name].append(saved)
                path.unlink()
            print(f"round {r + 1}/{args.repeat} done", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"checkpoint: {layers} x Linear({LAYER}, {LAYER}) float32, {size / 2**30:.2f} GiB; "
          f"dd writes {count16} x 16 MiB; {args.repeat} rounds in turns; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    ref = statistics.median(times["dd oflag=direct"])
    print(f"{'':22} {'median s':>9} {'min s':>7} {'GB/s':>6} {'vs dd direct':>12}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:22} {med:9.2f} {min(ts):7.2f} {size / 1e9 / med:6.2f} "
              f"{ref / med:11.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
