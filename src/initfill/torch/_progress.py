"""A progress bar of bytes written on stderr: tqdm's when it is installed, else a plain
one-line fallback; none when not asked for."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

ProgressOption = bool | str


def check_progress(progress: Any) -> ProgressOption:
    """`progress` is True (a bar when stderr is a terminal), False, or ``"always"``."""
    if progress is True or progress is False or progress == "always":
        return progress
    raise ValueError(f"progress must be True, False or 'always', got {progress!r}")


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _PlainBar:
    """``desc: 1.2/4.0 GiB  30%  850 MiB/s  ETA 4 s``, redrawn at most twice a second."""

    def __init__(self, total: int, desc: str, file: TextIO) -> None:
        self.total, self.desc, self.file = total, desc, file
        self.done = 0
        self.start = self.last = time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= 0.5 or self.done >= self.total:
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        gib = 2.0 ** 30
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        self.file.write(f"\r{self.desc}: {self.done / gib:.2f}/{self.total / gib:.2f} GiB "
                        f"{pct:3.0f}%  {rate / 2**20:.0f} MiB/s  ETA {eta:.0f} s ")
        self.file.flush()

    def close(self) -> None:
        self._draw(time.monotonic())
        self.file.write("\n")
        self.file.flush()


def progress_bar(total: int, desc: str, progress: ProgressOption) -> Any:
    """A bar with ``update(nbytes)`` and ``close()`` for `total` bytes, or one that
    shows nothing (``progress=False``, or True and stderr is not a terminal)."""
    stream = sys.stderr
    if progress is False or (progress is True and not _isatty(stream)):
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc, stream)
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                file=stream, dynamic_ncols=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
