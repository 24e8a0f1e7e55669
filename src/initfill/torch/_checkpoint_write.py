"""Writing planned checkpoint files: each under a temporary name in its folder,
pre-sized, then filled window by window (header first) into one of two page-aligned
buffers while the other is written (``pwrite`` on a writer thread, with ``O_DIRECT``
where the file system has it: buffered writes plus ``fsync`` run at a fraction of the
disk's speed on some machines), then synced and renamed.  On any error or interrupt
the temporary files are removed and nothing is left under the final names."""
from __future__ import annotations

import bisect
import errno
import mmap
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from initfill import Generator

from ._checkpoint_plan import GroupSource, Plan, PlannedTensor, RuleSource, ValueSource
from ._safetensors_layout import FileLayout, TensorSlot

ALIGN = 4096   # O_DIRECT's alignment of buffers, offsets and lengths (a page)

Block = tuple[tuple[int, ...], tuple[int, ...]]   # (offset, shape) in the whole tensor


@dataclass(frozen=True)
class OutputFile:
    """A file to write: where it goes and its layout."""

    path: Path
    layout: FileLayout


def range_blocks(shape: tuple[int, ...], start: int, stop: int) -> Iterator[Block]:
    """The flat element range [`start`, `stop`) of a C-contiguous tensor of `shape`
    as N-d blocks ``(offset, block shape)``, in order: a partial first row (its own
    blocks, one dimension down), whole rows, a partial last row -- at most two
    blocks per dimension."""
    if start >= stop:
        return
    if not shape:
        yield (), ()
        return
    row = 1
    for d in shape[1:]:
        row *= d
    rest = (0,) * (len(shape) - 1)
    first, head = divmod(start, row)
    last, tail = divmod(stop, row)
    if head:
        end = tail if last == first else row
        for off, sub in range_blocks(shape[1:], head, end):
            yield (first,) + off, (1,) + sub
        first += 1
        if last < first:
            return
    if last > first:
        yield (first,) + rest, (last - first,) + shape[1:]
    if tail:
        for off, sub in range_blocks(shape[1:], 0, tail):
            yield (last,) + off, (1,) + sub


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    while len(data):
        n = os.pwrite(fd, data, offset)
        if n <= 0:
            raise OSError(errno.EIO, "pwrite wrote nothing")
        data, offset = data[n:], offset + n


def _presize(fd: int, size: int) -> None:
    """Reserve the file's blocks (so a full disk fails here), or at least its size."""
    if hasattr(os, "posix_fallocate") and size:
        try:
            os.posix_fallocate(fd, 0, size)
            return
        except OSError as e:
            if e.errno not in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                raise
    os.ftruncate(fd, size)


def _temp_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.initfill-{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _open_temp(path: Path) -> tuple[int, int | None]:
    """A new file at `path` (never an existing one), and a second descriptor on it
    with ``O_DIRECT`` where the system and file system have it (else None)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    direct = getattr(os, "O_DIRECT", 0)
    if not direct:
        return fd, None
    try:
        return fd, os.open(path, os.O_WRONLY | direct)
    except OSError:
        return fd, None


class _Filler:
    """Fills one block of a planned tensor into a view of a window, casting to the
    file's dtype through a reused scratch buffer when the two differ; holds the
    materialized groups while their tensors are being written."""

    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan = plan
        self.generator = Generator(seed)
        self.scratch = np.empty(0, dtype=np.uint8)
        self.values: dict[str, Tensor] = {}
        self.groups: dict[str, dict[str, Tensor]] = {}
        self.left = {key: len(g.names) for key, g in plan.groups.items()}

    def _scratch(self, dtype: torch.dtype, shape: tuple[int, ...]) -> Tensor:
        n = dtype.itemsize
        for d in shape:
            n *= d
        if self.scratch.size < n:
            self.scratch = np.empty(n, dtype=np.uint8)
        return torch.from_numpy(self.scratch[:n]).view(dtype).view(shape)

    def _group_values(self, key: str) -> dict[str, Tensor]:
        values = self.groups.get(key)
        if values is None:
            group = self.plan.groups[key]
            made = group.make()
            values = {}
            for name in group.names:
                t = made.get(name, group.current.get(name))
                if t is None:
                    raise ValueError(
                        f"no rule and no init method wrote parameter or buffer {name!r}, "
                        f"which is on the meta device, so it has no values to write")
                values[name] = t.detach().reshape(-1)
            self.groups[key] = values
        return values

    def fill_range(self, out: Tensor, planned: PlannedTensor, start: int, stop: int) -> None:
        """Write elements [`start`, `stop`) of `planned` into the flat `out`."""
        src = planned.source
        if isinstance(src, GroupSource):
            out.copy_(self._group_values(src.key)[planned.name][start:stop])
            if stop == _numel(planned.shape):
                self.left[src.key] -= 1
                if not self.left[src.key]:
                    del self.groups[src.key]
            return
        at = 0
        for offset, shape in range_blocks(planned.shape, start, stop):
            n = _numel(shape)
            self.fill_block(out[at:at + n].view(shape), planned, (offset, shape))
            at += n

    def fill_block(self, out: Tensor, planned: PlannedTensor, block: Block) -> None:
        offset, shape = block
        whole = shape == planned.shape
        src = planned.source
        if isinstance(src, ValueSource):
            flat = self.values.get(planned.name)
            if flat is None:
                flat = src.tensor.detach().to("cpu").contiguous().reshape(-1)
                self.values = {planned.name: flat}
            start = _flat_index(offset, planned.shape)
            out.copy_(flat[start:start + out.numel()].view(shape))
            return
        assert isinstance(src, RuleSource)
        target = out if out.dtype == planned.dtype else self._scratch(planned.dtype, shape)
        src.rule.fill(target, self.generator, src.stream,
                      None if whole else planned.shape, None if whole else offset)
        if target is not out:
            out.copy_(target)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _flat_index(offset: tuple[int, ...], shape: tuple[int, ...]) -> int:
    index, stride = 0, 1
    for o, d in zip(reversed(offset), reversed(shape)):
        index += o * stride
        stride *= d
    return index


def _fill_window(buf: Tensor, lo: int, hi: int, layout: FileLayout,
                 planned: Mapping[str, PlannedTensor], filler: _Filler) -> None:
    """Fill `buf` with bytes [`lo`, `hi`) of the file."""
    header = layout.header
    base = len(header)
    if lo < base:
        part = torch.frombuffer(bytearray(header[lo:hi]), dtype=torch.uint8)
        buf[:min(hi, base) - lo].copy_(part)
    for slot in _slots_in(layout, lo - base, hi - base):
        b0 = max(slot.start, lo - base)
        b1 = min(slot.stop, hi - base)
        size = slot.dtype.itemsize
        out = buf[base + b0 - lo:base + b1 - lo].view(slot.dtype)
        filler.fill_range(out, planned[slot.name], (b0 - slot.start) // size,
                          (b1 - slot.start) // size)


def _slots_in(layout: FileLayout, lo: int, hi: int) -> list[TensorSlot]:
    """The slots with bytes in [`lo`, `hi`) of the data section."""
    starts = layout.slot_starts
    i = max(bisect.bisect_right(starts, lo) - 1, 0)
    out = []
    while i < len(layout.slots) and layout.slots[i].start < hi:
        if layout.slots[i].stop > lo:
            out.append(layout.slots[i])
        i += 1
    return out


def _write_file(plan: Plan, f: OutputFile, fd: int, direct: int | None, filler: _Filler,
                buffers: Sequence[mmap.mmap], pool: ThreadPoolExecutor, bar: Any) -> None:
    """Fill and write `f` window by window: one buffer filled while the other is
    written; with ``O_DIRECT``, whole aligned windows, the file cut to size after."""
    planned = {t.name: t for t in plan.tensors}
    size = f.layout.file_size
    width = len(buffers[0])
    pending: list[Future[None] | None] = [None, None]
    which = 0
    for lo in range(0, size, width):
        hi = min(lo + width, size)
        if pending[which] is not None:
            pending[which].result()
        buf = torch.frombuffer(buffers[which], dtype=torch.uint8)
        _fill_window(buf, lo, hi, f.layout, planned, filler)
        n = hi - lo
        if direct is not None:
            view = memoryview(buffers[which])[:-(-n // ALIGN) * ALIGN]
            pending[which] = pool.submit(_write_and_count, direct, view, lo, bar, n)
        else:
            view = memoryview(buffers[which])[:n]
            pending[which] = pool.submit(_write_and_count, fd, view, lo, bar, n)
        which ^= 1
    for fut in pending:
        if fut is not None:
            fut.result()
    if direct is not None:
        os.ftruncate(fd, size)


def _write_and_count(fd: int, view: memoryview, offset: int, bar: Any, n: int) -> None:
    _pwrite_all(fd, view, offset)
    bar.update(n)


def write_files(plan: Plan, files: Sequence[OutputFile], extra: Sequence[tuple[Path, bytes]],
                seed: int, chunk_bytes: int, overwrite: bool, bar: Any) -> None:
    """Write `files` (and the small `extra` files, e.g. the index) as planned, each
    through a temporary name; rename them all only once everything is written."""
    temps: list[Path] = []
    fds: list[int] = []
    width = max(ALIGN, -(-chunk_bytes // ALIGN) * ALIGN)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="initfill-save")
    buffers: list[mmap.mmap] = []
    try:
        buffers = [mmap.mmap(-1, width) for _ in range(2)]   # page-aligned, for O_DIRECT
        opened = []
        for f in files:
            tmp = _temp_name(f.path)
            fd, direct = _open_temp(tmp)
            temps.append(tmp)
            fds += [fd] if direct is None else [fd, direct]
            _presize(fd, f.layout.file_size)
            opened.append((fd, direct))
        filler = _Filler(plan, seed)
        for f, (fd, direct) in zip(files, opened):
            _write_file(plan, f, fd, direct, filler, buffers, pool, bar)
            os.fsync(fd)
        for path, data in extra:
            tmp = _temp_name(path)
            fd, direct = _open_temp(tmp)
            temps.append(tmp)
            fds += [fd] if direct is None else [fd, direct]
            _pwrite_all(fd, memoryview(data), 0)
            os.fsync(fd)
        finals = [f.path for f in files] + [p for p, _ in extra]
        if not overwrite:
            taken = [str(p) for p in finals if os.path.lexists(p)]
            if taken:
                raise FileExistsError(f"{taken[0]} appeared while the checkpoint was written; "
                                      f"pass overwrite=True to replace it")
        for tmp, final in zip(temps, finals):
            os.replace(tmp, final)
        temps.clear()
    except OSError as e:
        if isinstance(e, FileExistsError) or e.errno is None:
            raise
        raise OSError(e.errno, f"writing the checkpoint {files[0].path} failed: "
                               f"{e.strerror}; nothing was left under its name") from e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for tmp in temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        for b in buffers:
            try:
                b.close()
            except BufferError:   # a view still held (e.g. by a traceback): freed with it
                pass
        bar.close()
