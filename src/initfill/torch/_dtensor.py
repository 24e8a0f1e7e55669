"""DTensors (``torch.distributed.tensor``): which elements of the logical tensor a
rank's local shard holds, as rectangular blocks ``(local view, global offset)``, so
that each rank fills exactly its slice of the single-process values.

The index math is torch's own (each placement's ``_local_shard_size_and_offset``,
composed mesh dimension by mesh dimension as
``torch.distributed.tensor._utils.compute_local_shape_and_global_offset`` composes
it), kept per element along each dimension so that a ``_StridedShard`` shard, which
is not one rectangle of the logical tensor, becomes several blocks.
"""
from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from initfill._buffers import is_dtensor
from initfill._generator import Generator

__all__ = ["is_dtensor", "is_memoryless_wrapper", "local_blocks", "fill_dtensor",
           "fill_parameter_blocks", "storage_view", "unwrapped_class"]

Shape = tuple[int, ...]
# One block of a shard: (view of the local tensor, offset of that view in the
# logical tensor).
Block = tuple[Tensor, Shape]


def is_memoryless_wrapper(x: Any) -> bool:
    """Whether `x` is a tensor subclass with its own ``__torch_dispatch__`` (a wrapper
    such as a FakeTensor or a DTensor, whose own data pointer is NULL)."""
    return (isinstance(x, Tensor)
            and type(x).__torch_dispatch__ is not Tensor.__torch_dispatch__)


def _index_lists(x: Any) -> tuple[Shape, list[Sequence[int]] | None]:
    """``(global shape, per dimension the global indices of the local tensor's
    positions along it)``; None for a rank outside the DTensor's mesh."""
    from torch.distributed.tensor import Shard
    from torch.distributed.tensor.placement_types import _StridedShard, \
        _StridedShardOffsetMode

    mesh = x.device_mesh
    gshape = tuple(int(n) for n in x.shape)
    coordinate = mesh.get_coordinate()
    if coordinate is None:
        return gshape, None
    index: list[Sequence[int]] = [range(n) for n in gshape]
    for mesh_dim, placement in enumerate(x.placements):
        if placement.is_replicate():
            continue
        if placement.is_partial():
            raise ValueError(
                f"x is a DTensor with a Partial placement ({placement}) on mesh dimension "
                f"{mesh_dim}: its values are a reduction of the ranks' local tensors, so "
                f"no fill of the local tensors gives the values of a fill.  Fill it with "
                f"Replicate() or Shard(d) placements (x.redistribute(...) or "
                f"distribute_tensor(...)) instead")
        n, rank = mesh.size(mesh_dim), coordinate[mesh_dim]
        d = placement.dim
        if isinstance(placement, _StridedShard):
            _, positions = placement._local_shard_size_and_offset(
                len(index[d]), n, rank, _StridedShardOffsetMode.ALL)
            index[d] = [index[d][i] for i in positions]
        elif isinstance(placement, Shard):
            size, start = placement._local_shard_size_and_offset(len(index[d]), n, rank)
            index[d] = index[d][start:start + size]
        else:
            raise TypeError(f"x is a DTensor with a placement initfill does not know: "
                            f"{placement!r} (it fills Shard, _StridedShard and Replicate)")
    return gshape, index


def _runs(indices: Sequence[int]) -> list[tuple[int, int, int]]:
    """`indices` cut into maximal runs of consecutive values: ``(local start, global
    start, length)`` each."""
    if isinstance(indices, range):  # one run (or none)
        return [(0, indices.start, len(indices))] if len(indices) else []
    runs: list[tuple[int, int, int]] = []
    for i, g in enumerate(indices):
        if runs and runs[-1][1] + runs[-1][2] == g:
            lo, go, k = runs[-1]
            runs[-1] = (lo, go, k + 1)
        else:
            runs.append((i, g, 1))
    return runs


def local_blocks(x: Any) -> tuple[Shape, list[Block]]:
    """The global shape of DTensor `x` and its local tensor cut into blocks, each a
    view of the local tensor and its offset in the logical tensor.

    A ``Shard``/``Replicate`` shard is one block; a ``_StridedShard`` (FSDP2 on top of
    tensor parallelism) is one block per run of consecutive global indices; an empty
    shard, or a rank outside the mesh, has none.

    Raises
    ------
    ValueError
        For a ``Partial`` placement, whose values no local fill gives.
    TypeError
        For a placement of another kind.
    RuntimeError
        When torch's own local shape or offset of the shard disagrees with the one
        computed here (a change of torch's placement math initfill does not know).
    """
    gshape, index = _index_lists(x)
    with torch.no_grad():
        local = x.to_local()
    if index is None:
        return gshape, []
    _check_against_torch(x, gshape, index, local)
    runs = [_runs(ix) for ix in index]
    blocks: list[Block] = []
    for combo in itertools.product(*runs):
        view = local
        for d, (lo, _, k) in enumerate(combo):
            if lo or k != view.shape[d]:
                view = view.narrow(d, lo, k)
        blocks.append((view, tuple(go for _, go, _ in combo)))
    return gshape, blocks


def _check_against_torch(x: Any, gshape: Shape, index: list[Sequence[int]],
                         local: Tensor) -> None:
    """RuntimeError unless the local shape and the first global offset computed here
    are torch's own (``compute_local_shape_and_global_offset``)."""
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    shape, offset = compute_local_shape_and_global_offset(gshape, x.device_mesh,
                                                          x.placements)
    mine = tuple(len(ix) for ix in index)
    first = tuple(ix[0] if len(ix) else n for ix, n in zip(index, gshape))
    if mine != tuple(local.shape) or mine != tuple(shape) or (
            0 not in mine and first != tuple(offset)):
        raise RuntimeError(
            f"initfill's view of this DTensor's shard (local shape {mine}, first "
            f"offset {first}) differs from torch's (local shape {tuple(shape)}, offset "
            f"{tuple(offset)}, local tensor {tuple(local.shape)}); placements "
            f"{x.placements}: please report it with your torch version "
            f"{torch.__version__}")


def fill_dtensor(generator: Any, x: Any, dist: int, params: tuple[float, ...],
                 names: tuple[str, ...], what: str, stream: int | str | None,
                 dtype: Any) -> Any:
    """Fill DTensor `x` in place, block by block, with the values a fill of the whole
    logical tensor gives them (one :meth:`initfill.Generator._fill` per block with
    the block's ``global_shape``/``offset``), from one stream.

    The parameters are checked first and the stream taken after, on every rank, so
    that a rank whose shard is empty fails as the others do and its generator moves
    on by the same one stream.
    """
    gshape, blocks = local_blocks(x)
    with torch.no_grad():
        local = x.to_local()
    # The checks a fill makes (device, dtype, the distribution's parameters), on an
    # empty tensor like the shard, before any block is written.
    Generator._fill(generator, local.new_empty(0), dist, params, names, what, 0, None,
                    None, dtype)
    s = generator.take_stream(stream)
    for view, offset in blocks:
        Generator._fill(generator, view, dist, params, names, what, s, gshape, offset,
                        dtype)
    return x


def fill_parameter_blocks(rule: Any, t: Any, generator: Any, stream: int) -> None:
    """Fill DTensor parameter `t` with init rule `rule` (:mod:`._rules`) block by
    block (``rule.fill(block, generator, stream, global_shape, offset)``); a block
    not in CPU memory is filled in a CPU twin and copied over."""
    gshape, blocks = local_blocks(t)
    for view, offset in blocks:
        if view.is_cpu:
            rule.fill(view, generator, stream, gshape, offset)
        else:
            tmp = torch.empty(view.shape, dtype=view.dtype)
            rule.fill(tmp, generator, stream, gshape, offset)
            with torch.no_grad():
                view.copy_(tmp)


def storage_view(t: Tensor) -> Tensor:
    """The tensor whose memory holds `t`'s elements here: a DTensor's local tensor,
    else `t`."""
    if is_dtensor(t):
        with torch.no_grad():
            return t.to_local()
    return t


def unwrapped_class(module: Any) -> type:
    """The class of `module` before ``fully_shard`` made it an instance of a class
    ``FSDP<Name>`` deriving from ``FSDPModule`` and the module's own class."""
    cls = type(module)
    mod = sys.modules.get("torch.distributed.fsdp")
    fsdp_module = getattr(mod, "FSDPModule", None)
    if fsdp_module is not None and fsdp_module in cls.__bases__:
        return next(b for b in cls.__bases__ if b is not fsdp_module)
    return cls
