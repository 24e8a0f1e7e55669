"""Writing planned checkpoint files: each under a temporary name in its folder,
pre-sized, header first, then the data filled chunk by chunk into one of two bounded
buffers while the other is written (``pwrite`` on a writer thread), then synced and
renamed.  On any error or interrupt the temporary files are removed and nothing is
left under the final names."""
from __future__ import annotations

import errno
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

Block = tuple[tuple[int, ...], tuple[int, ...]]   # (offset, shape) in the whole tensor


@dataclass(frozen=True)
class OutputFile:
    """A file to write: where it goes and its layout."""

    path: Path
    layout: FileLayout


def blocks_of(shape: tuple[int, ...], budget: int) -> Iterator[Block]:
    """`shape` cut into C-contiguous blocks of at most `budget` elements (>= 1),
    in order: whole leading-dimension slabs, or, when one slab is too big, the
    blocks of each slab one by one."""
    n = 1
    for d in shape:
        n *= d
    if n <= budget or not shape:
        yield (0,) * len(shape), shape
        return
    row = n // shape[0]
    if row <= budget:
        step = budget // row
        for i in range(0, shape[0], step):
            yield (i,) + (0,) * (len(shape) - 1), (min(step, shape[0] - i),) + shape[1:]
        return
    for i in range(shape[0]):
        for off, sub in blocks_of(shape[1:], budget):
            yield (i,) + off, (1,) + sub


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    while len(data):
        n = os.pwrite(fd, data, offset)
        if n <= 0:
            raise OSError(errno.EIO, "pwrite wrote nothing")
        data, offset = data[n:], offset + n


def _as_bytes(t: Tensor) -> memoryview:
    return memoryview(t.detach().contiguous().reshape(-1).view(torch.uint8).numpy())


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


class _Filler:
    """Fills one block of a planned tensor into a byte view, casting to the file's
    dtype through a reused scratch buffer when the two differ."""

    def __init__(self, seed: int) -> None:
        self.generator = Generator(seed)
        self.scratch = np.empty(0, dtype=np.uint8)
        self.values: dict[str, Tensor] = {}

    def _scratch(self, dtype: torch.dtype, shape: tuple[int, ...]) -> Tensor:
        n = torch.empty((), dtype=dtype).element_size()
        for d in shape:
            n *= d
        if self.scratch.size < n:
            self.scratch = np.empty(n, dtype=np.uint8)
        return torch.from_numpy(self.scratch[:n]).view(dtype).view(shape)

    def fill(self, out: Tensor, planned: PlannedTensor, block: Block) -> None:
        offset, shape = block
        whole = shape == planned.shape
        src = planned.source
        if isinstance(src, ValueSource):
            flat = self.values.get(planned.name)
            if flat is None:
                flat = src.tensor.detach().to("cpu").contiguous().reshape(-1)
                self.values[planned.name] = flat
            start = _flat_index(offset, planned.shape)
            out.copy_(flat[start:start + out.numel()].view(shape))
            return
        assert isinstance(src, RuleSource)
        target = out if out.dtype == planned.dtype else self._scratch(planned.dtype, shape)
        src.rule.fill(target, self.generator, src.stream,
                      None if whole else planned.shape, None if whole else offset)
        if target is not out:
            out.copy_(target)


def _chunks(layout: FileLayout, planned: Mapping[str, PlannedTensor], chunk_bytes: int
            ) -> Iterator[tuple[int, list[tuple[int, TensorSlot, Block]]]]:
    """The data section as chunks of at most `chunk_bytes` contiguous bytes: ``(start
    of the chunk in the data section, [(byte offset in the chunk, slot, block)])``;
    the tensors of groups are left out (written whole, elsewhere)."""
    start, parts, used = 0, [], 0
    for slot in layout.slots:
        if slot.stop == slot.start:
            continue
        if isinstance(planned[slot.name].source, GroupSource):
            if parts:
                yield start, parts
            start, parts, used = slot.stop, [], 0
            continue
        size = slot.dtype.itemsize
        for block in blocks_of(slot.shape, max(1, chunk_bytes // size)):
            n = size
            for d in block[1]:
                n *= d
            if parts and used + n > chunk_bytes:
                yield start, parts
                start, parts, used = start + used, [], 0
            if not parts:
                start = slot.start + _flat_index(block[0], slot.shape) * size
            parts.append((used, slot, block))
            used += n
    if parts:
        yield start, parts


def _flat_index(offset: tuple[int, ...], shape: tuple[int, ...]) -> int:
    index, stride = 0, 1
    for o, d in zip(reversed(offset), reversed(shape)):
        index += o * stride
        stride *= d
    return index


def _write_groups(plan: Plan, files: Sequence[OutputFile], fds: Sequence[int],
                  chunk_bytes: int, bar: Any) -> None:
    """Materialize each group once and write its tensors where they go."""
    where = {slot.name: (fd, len(f.layout.header), slot)
             for f, fd in zip(files, fds) for slot in f.layout.slots}
    for key, group in plan.groups.items():
        names = [n for n in group.names if n in where]
        if not names:
            continue
        values = group.make()
        for name in names:
            t = values.get(name, group.current.get(name))
            if t is None:
                raise ValueError(
                    f"no rule and no init method wrote parameter {name!r}, which is on the "
                    f"meta device, so it has no values to write")
            fd, base, slot = where[name]
            flat = t.detach().reshape(-1)
            step = max(1, chunk_bytes // slot.dtype.itemsize)
            for i in range(0, flat.numel(), step):
                piece = flat[i:i + step].to(slot.dtype)
                _pwrite_all(fd, _as_bytes(piece), base + slot.start + i * slot.dtype.itemsize)
                bar.update(piece.numel() * slot.dtype.itemsize)
        del values


def _write_data(plan: Plan, f: OutputFile, fd: int, filler: _Filler, chunk_bytes: int,
                pool: ThreadPoolExecutor, bar: Any) -> None:
    planned = {t.name: t for t in plan.tensors}
    base = len(f.layout.header)
    buffers = [np.empty(chunk_bytes, dtype=np.uint8) for _ in range(2)]
    pending: list[Future[None] | None] = [None, None]
    which = 0
    for start, parts in _chunks(f.layout, planned, chunk_bytes):
        if pending[which] is not None:
            pending[which].result()
        buf = torch.from_numpy(buffers[which])
        used = 0
        for at, slot, (offset, shape) in parts:
            n = slot.dtype.itemsize
            for d in shape:
                n *= d
            out = buf[at:at + n].view(slot.dtype).view(shape)
            filler.fill(out, planned[slot.name], (offset, shape))
            used = at + n
        view = memoryview(buffers[which])[:used]
        pending[which] = pool.submit(_write_and_count, fd, view, base + start, bar, used)
        which ^= 1
    for fut in pending:
        if fut is not None:
            fut.result()
    filler.values.clear()


def _write_and_count(fd: int, view: memoryview, offset: int, bar: Any, n: int) -> None:
    _pwrite_all(fd, view, offset)
    bar.update(n)


def write_files(plan: Plan, files: Sequence[OutputFile], extra: Sequence[tuple[Path, bytes]],
                seed: int, chunk_bytes: int, overwrite: bool, bar: Any) -> None:
    """Write `files` (and the small `extra` files, e.g. the index) as planned, each
    through a temporary name; rename them all only once everything is written."""
    temps: list[Path] = []
    fds: list[int] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="initfill-save")
    try:
        for f in files:
            tmp = _temp_name(f.path)
            fds.append(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            temps.append(tmp)
            _presize(fds[-1], f.layout.file_size)
            _pwrite_all(fds[-1], memoryview(f.layout.header), 0)
            bar.update(len(f.layout.header))
        _write_groups(plan, files, fds, chunk_bytes, bar)
        filler = _Filler(seed)
        for f, fd in zip(files, fds):
            _write_data(plan, f, fd, filler, chunk_bytes, pool, bar)
            os.fsync(fd)
        for path, data in extra:
            tmp = _temp_name(path)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            fds.append(fd)
            temps.append(tmp)
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
        bar.close()
