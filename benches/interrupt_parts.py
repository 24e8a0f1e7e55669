"""Cost of filling in parts (the Ctrl-C checks of long fills) and interrupt latency.

Run from the repository root: ``PYTHONPATH=src python benches/interrupt_parts.py``.
Prints, for a 2**26 float32 ``normal_`` fill on 1 and 2 threads, the median of 5
interleaved runs per part size against the unsplit fill, then the time from a
SIGINT (``_thread.interrupt_main`` from a timer thread) to the KeyboardInterrupt of
a 2**28 float32 fill at the default part size.  Uses a private knob of
``initfill._core``; not part of the benchmark suite.
"""
import _thread
import statistics
import threading
import time

import numpy as np

import initfill
from initfill import _core


def overhead():
    x = np.ones(1 << 26, np.float32)
    g = initfill.Generator(1)
    default = _core.part_elements()
    sizes = (1 << 40, default, 1 << 23, 1 << 20)
    for nthreads in (1, 2):
        initfill.set_num_threads(nthreads)
        times = {p: [] for p in sizes}
        for _ in range(5):
            for p in sizes:
                _core.set_part_elements(p)
                t0 = time.perf_counter()
                g.normal_(x, stream=0)
                times[p].append(time.perf_counter() - t0)
        base = statistics.median(times[sizes[0]])
        for p in sizes:
            m = statistics.median(times[p])
            name = "unsplit" if p == sizes[0] else f"parts of 2^{p.bit_length() - 1}"
            print(f"threads={nthreads} {name}: {m * 1e3:.1f} ms ({(m / base - 1) * 100:+.1f}%)")
    _core.set_part_elements(default)


def latency():
    y = np.ones(1 << 28, np.float32)
    g = initfill.Generator(1)
    for nthreads in (1, 2):
        initfill.set_num_threads(nthreads)
        waits = []
        for _ in range(5):
            fired = []

            def fire():
                fired.append(time.perf_counter())
                _thread.interrupt_main()

            timer = threading.Timer(0.03, fire)
            timer.start()
            try:
                g.normal_(y, stream=1)
                print("not interrupted (the fill ended before the signal)")
            except KeyboardInterrupt:
                waits.append(time.perf_counter() - fired[0])
            timer.join()
        if waits:
            print(f"threads={nthreads} SIGINT -> KeyboardInterrupt: median "
                  f"{statistics.median(waits) * 1e3:.1f} ms, max {max(waits) * 1e3:.1f} ms")


if __name__ == "__main__":
    overhead()
    latency()
