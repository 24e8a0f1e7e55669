"""initfill.dask -> zarr: a 4 GiB float32 weight written chunk by chunk by a
``dask.distributed.LocalCluster``, with each worker's peak memory.

    PYTHONPATH=src python benches/bench_dask_zarr.py            # 4 GiB, 64 MiB chunks
    PYTHONPATH=src python benches/bench_dask_zarr.py --gib 1 --chunk-mib 16 --numpy

A script, not a pytest-benchmark case (it takes tens of seconds and writes the array
to disk, uncompressed).  It starts the cluster (workers on 127.0.0.1, one thread
each, no dashboard), measures each worker's resident memory before the store, stores
``initfill.dask.normal`` with ``da.to_zarr``, and prints the wall time of the store,
each worker's peak resident memory (VmHWM, Linux, and the peak of RSS sampled every
20 ms from outside) against its memory before, in MiB and in chunks, and checks a few
chunks read back against initfill's block fill.  ``--numpy`` also fills the whole
array with NumPy in a subprocess, for the peak memory of the single-process way.
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

MiB = 1 << 20


def _rss() -> int:
    import psutil
    return psutil.Process().memory_info().rss


def _peak_rss() -> int:
    """This process's peak RSS since it started: VmHWM of /proc/self/status (not
    ``ru_maxrss``, which Linux carries over across fork+exec from the parent)."""
    with open("/proc/self/status", encoding="ascii") as f:
        line = next(line for line in f if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024  # kB


def _import_worker_modules() -> None:
    import initfill.dask  # noqa: F401
    import zarr  # noqa: F401


class RSSSampler(threading.Thread):
    """The peak RSS of some processes, sampled every `interval` seconds."""

    def __init__(self, pids: dict[str, int], interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        import psutil
        self.procs = {w: psutil.Process(p) for w, p in pids.items()}
        self.peak = {w: 0 for w in pids}
        self.interval = interval
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for w, p in self.procs.items():
                try:
                    self.peak[w] = max(self.peak[w], p.memory_info().rss)
                except Exception:  # a worker that went away: keep its last peak
                    pass
            self.stop.wait(self.interval)


def square_shape(gib: float, chunk_mib: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """A square float32 shape of about `gib` GiB in square chunks of about `chunk_mib`."""
    side = int(round(math.sqrt(chunk_mib * MiB / 4)))
    per_axis = max(1, int(round(math.sqrt(gib * (1 << 30) / 4) / side)))
    return (side * per_axis, side * per_axis), (side, side)


def numpy_whole(shape: tuple[int, int]) -> tuple[float, int]:
    """(seconds, peak RSS bytes) of the whole NumPy fill, in a fresh subprocess."""
    code = (
        "import time, numpy as np, initfill\n"
        f"x = np.empty({shape}, np.float32); t = time.perf_counter()\n"
        "initfill.Generator(0).normal_(x, std=0.02, stream='w')\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(time.perf_counter() - t, int(hwm.split()[1]) * 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, timeout=600).stdout.split()
    return float(out[0]), int(out[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gib", type=float, default=4.0, help="array size (default 4)")
    ap.add_argument("--chunk-mib", type=float, default=64.0, help="chunk size (default 64)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="threads per worker")
    ap.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    ap.add_argument("--numpy", action="store_true", help="also time the whole NumPy fill")
    args = ap.parse_args(argv)

    import dask.array as da
    import zarr
    from distributed import Client, LocalCluster, wait

    import initfill
    import initfill.dask as idk

    shape, chunks = square_shape(args.gib, args.chunk_mib)
    chunk_bytes = math.prod(chunks) * 4
    total = math.prod(shape) * 4
    root = tempfile.mkdtemp(prefix="initfill-zarr-", dir=args.dir)
    path = os.path.join(root, "w.zarr")
    print(f"array {shape} float32 = {total / MiB:.0f} MiB in chunks {chunks} = "
          f"{chunk_bytes / MiB:.0f} MiB ({math.prod(-(-s // c) for s, c in zip(shape, chunks))}"
          f" chunks); {args.workers} workers x {args.threads} threads; {os.cpu_count()} "
          f"CPUs; initfill {initfill.__version__}, zarr {zarr.__version__}")
    try:
        t0 = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=args.threads,
                          processes=True, host="127.0.0.1", dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            client.wait_for_workers(args.workers, timeout=120)
            client.run(_import_worker_modules)
            print(f"cluster up in {time.perf_counter() - t0:.1f} s")
            before = client.run(_rss)
            sampler = RSSSampler(client.run(os.getpid))
            sampler.start()
            x = idk.normal(shape, chunks=chunks, seed=0, stream="w", std=0.02)
            t1 = time.perf_counter()
            stored = da.to_zarr(x, path, mode="w", compressors=None, compute=False)
            fut = client.compute(stored)
            wait(fut)
            fut.result()
            store_s = time.perf_counter() - t1
            sampler.stop.set()
            sampler.join()
            peaks = client.run(_peak_rss)
        print(f"store: {store_s:.1f} s = {total / MiB / store_s:.0f} MiB/s")
        for w in sorted(before):
            grow = peaks[w] - before[w]
            sgrow = sampler.peak[w] - before[w]
            print(f"  worker {w}: RSS before {before[w] / MiB:.0f} MiB, peak "
                  f"{peaks[w] / MiB:.0f} MiB (VmHWM; sampled {sampler.peak[w] / MiB:.0f})"
                  f" -> +{grow / MiB:.0f} MiB = {grow / chunk_bytes:.1f} chunks "
                  f"(sampled +{sgrow / MiB:.0f} MiB); its share of the array "
                  f"{total / args.workers / MiB:.0f} MiB")
        z = zarr.open_array(path, mode="r")
        g = initfill.Generator(0)
        n = [-(-s // c) for s, c in zip(shape, chunks)]
        for i, j in [(0, 0), (n[0] // 2, n[1] - 1), (n[0] - 1, n[1] // 3)]:
            r, c = i * chunks[0], j * chunks[1]
            block = g.normal_(np.empty(chunks, np.float32), std=0.02, stream="w",
                              global_shape=shape, offset=(r, c))
            assert (z[r:r + chunks[0], c:c + chunks[1]].view(np.uint32)
                    == block.view(np.uint32)).all(), (i, j)
        print("3 chunks read back equal initfill's block fill bit for bit")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.numpy:
        secs, peak = numpy_whole(shape)
        print(f"whole NumPy fill in one process: {secs:.1f} s, peak RSS {peak / MiB:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
