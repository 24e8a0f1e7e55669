"""Start a real gloo process group on 127.0.0.1 from a test: `world_size` spawned
processes run one function each and send back what it returns.  Bounded in time:
a process that has not answered by the deadline is killed, as are the others when
one fails, and each process destroys its group whatever happens."""
from __future__ import annotations

import datetime
import functools
import importlib
import os
import queue
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

import torch.multiprocessing as mp


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entry(rank: int, world_size: int, port: int, target: Callable[..., Any],
           args: tuple, results: Any) -> None:
    import torch.distributed as dist

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        dist.init_process_group(
            "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
            world_size=world_size, timeout=datetime.timedelta(seconds=60))
        try:
            result = target(rank, world_size, *args)
            dist.barrier()  # leave together (a rank tearing gloo down early can abort a peer)
            results.put((rank, True, result))
        finally:
            dist.destroy_process_group()
    except BaseException:  # noqa: BLE001 -- everything goes back to the test
        results.put((rank, False, traceback.format_exc()))


def launch(world_size: int, target: Callable[..., Any], *args: Any,
           timeout: float = 120.0) -> list[Any]:
    """Run ``target(rank, world_size, *args)`` in `world_size` spawned processes of
    one gloo group; return their results in rank order.

    `target` must be importable by name (a module-level function).  Raises
    AssertionError with the failed ranks' tracebacks, or when the processes have not
    all answered within `timeout` seconds (they are then killed).
    """
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=_entry, args=(r, world_size, port, target, args, results),
                         daemon=True) for r in range(world_size)]
    for p in procs:
        p.start()
    deadline = time.monotonic() + timeout
    got: dict[int, Any] = {}
    errors: list[str] = []
    try:
        while len(got) + len(errors) < world_size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"world size {world_size}: ranks {sorted(set(range(world_size)) - set(got))} "
                    f"did not answer within {timeout} s; errors: {errors}")
            try:
                rank, ok, value = results.get(timeout=min(left, 1.0))
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in procs):
                    dead = [r for r, p in enumerate(procs) if p.exitcode not in (None, 0)]
                    # give a crashed rank's traceback (if any) a moment to arrive
                    time.sleep(0.5)
                    while not results.empty():
                        rank, ok, value = results.get()
                        (got.__setitem__(rank, value) if ok else errors.append(value))
                    raise AssertionError(f"ranks {dead} died; errors: {errors}")
                continue
            if ok:
                got[rank] = value
            else:
                errors.append(f"rank {rank}:\n{value}")
                break  # the others may now wait forever on a collective
        if errors:
            raise AssertionError("\n".join(errors))
        for p in procs:
            p.join(timeout=max(1.0, deadline - time.monotonic()))
        return [got[r] for r in range(world_size)]
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        results.close()


@functools.lru_cache(maxsize=None)
def launched(world_size: int, module: str, function: str, *args: Any,
             timeout: float = 240.0) -> tuple[dict[str, str | None], ...]:
    """The results of ``launch(world_size, module.function, *args)``, launched once
    per pytest process and shared by the tests (of any file) that read them."""
    target = getattr(importlib.import_module(module), function)
    return tuple(launch(world_size, target, *args, timeout=timeout))


def failed(results: tuple[dict[str, str | None], ...], prefix: str) -> dict[str, str]:
    """``{"rank r: check": what went wrong}`` for the checks named `prefix`..."""
    return {f"rank {r}: {name}": answer for r, checks in enumerate(results)
            for name, answer in checks.items() if name.startswith(prefix) and answer}


def checked(results: tuple[dict[str, str | None], ...], prefix: str) -> int:
    """How many checks named `prefix`... rank 0 made."""
    return sum(name.startswith(prefix) for name in results[0])
