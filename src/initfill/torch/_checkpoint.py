"""``save_random``: a safetensors checkpoint of a model's initial values, streamed from
a meta-device model without materializing it."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from initfill import Generator

from ._checkpoint_plan import plan_checkpoint
from ._checkpoint_write import OutputFile, write_files
from ._progress import check_progress, progress_bar
from ._safetensors_layout import INDEX_NAME, SINGLE_NAME, check_metadata, file_layout, \
    index_json, nbytes_of, parse_size, shard_file_names, split_into_shards

DEFAULT_CHUNK_BYTES = 64 * 2**20
_SHARD_FILE = re.compile(r"^model-\d{5}-of-\d{5}\.safetensors$")


def _out_dtype(dtype: Any) -> torch.dtype | None:
    if dtype is None:
        return None
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype, None)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating-point torch dtype (or its name, "
                         f"e.g. 'bfloat16'), got {dtype!r}")
    return dtype


def save_random(
    module: nn.Module,
    path: str | os.PathLike[str],
    *,
    seed: int = 0,
    scheme: str | Callable[[str, Tensor, Generator], Any] = "torch",
    dtype: torch.dtype | str | None = None,
    metadata: Mapping[str, str] | None = None,
    max_shard_size: int | str | None = None,
    progress: bool | str = True,
    overwrite: bool = False,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    **init_options: Any,
) -> Path:
    """Write a safetensors checkpoint of `module`'s initial values without ever
    holding the model in memory.

    The values are exactly those ``init_module_(m, seed, scheme, **init_options)``
    gives the materialized model ``m`` (:func:`materialize_`), and the file is the
    one ``safetensors.torch.save_file(m.state_dict(), path, metadata)`` writes from
    them, byte for byte: same header, tensor order and padding.  `module` may live
    on the meta device (the usual case); nothing of it is materialized, except, for
    the ``"torch"`` scheme, a module whose own init method runs (rules 1 and 3 of
    :func:`init_module_`): that module alone, with its submodules, is materialized
    on the CPU, initialized and copied out, so the memory needed is that of the
    largest such module (none for models made of torch's layers, such as
    transformers' decoders with their default init; the whole model for a model
    whose own init method covers everything).  A callable `scheme` is run on one
    parameter at a time.

    The header is written first, the file pre-sized, and the data filled in place
    chunk by chunk (two buffers of `chunk_bytes`, one filled while the other is
    written); a tensor bigger than a chunk is filled as blocks of the whole
    (``global_shape``/``offset``), with the same values.

    Tied weights (one Parameter under several names, or parameters over the same
    memory) are written once, under the name that comes first in
    ``named_parameters()`` -- as transformers' ``save_pretrained`` does, whose
    ``from_pretrained`` ties them again (safetensors refuses tensors that share
    memory).  Persistent buffers are written with their values: batch-norm
    statistics as ``init_module_`` resets them, buffers not on the meta device as they
    are, buffers a module's own init method writes as it writes them.

    Parameters
    ----------
    module : torch.nn.Module
        The model, usually built on the meta device.  It is not changed.
    path : str or os.PathLike
        The file to write; with `max_shard_size`, the folder (created if missing)
        for ``model-0000i-of-0000N.safetensors`` and ``model.safetensors.index.json``
        (just ``model.safetensors`` when everything fits in one shard).
    seed : int
        Seed in ``[0, 2**64)``.
    scheme : {"torch", "normal"} or callable
        As :func:`init_module_`.
    dtype : torch.dtype or str, optional
        Store the floating-point tensors in this dtype (values made in the
        parameter's dtype, then cast as ``Tensor.to`` casts); other tensors keep
        theirs.
    metadata : mapping of str to str, optional
        The header's ``__metadata__`` (e.g. ``{"format": "pt"}``, which transformers
        writes).  Written in the mapping's order; safetensors itself orders more than
        one key by a hash that changes between runs.
    max_shard_size : int or str, optional
        Split into shards of at most this many bytes (``"5GB"``, ``"500MiB"``, an
        int), as transformers splits: in state-dict order, a tensor bigger than the
        limit in a shard of its own.
    progress : bool or "always"
        A progress bar on stderr (tqdm's if installed): True shows it when stderr
        is a terminal, "always" even when not, False never.
    overwrite : bool
        Replace existing files (with shards: also remove the other ``model*``
        safetensors files and the index already in the folder).
    chunk_bytes : int
        The size of each of the two write buffers; memory use is about twice this,
        plus, with `dtype`, the values of one window before the cast (twice
        `chunk_bytes` from float32 to bfloat16).
    **init_options
        ``std``, ``residual_layers``, ``residual_patterns``, ``buffers``, ``hook``
        of :func:`init_module_`.

    Returns
    -------
    pathlib.Path
        The file written: `path`, or the index (or ``model.safetensors``) in it.

    Raises
    ------
    FileExistsError
        When a file to write exists and `overwrite` is False (nothing is written).
    ValueError
        For a tensor on the meta device that nothing gives values (e.g. a persistent
        buffer that no init method writes: it is named), bad sizes or options.
    TypeError
        For a dtype safetensors cannot store, metadata that is not str to str.
    OSError
        When the disk is full or a write fails; the temporary files are removed and
        nothing is left under the final names (as on KeyboardInterrupt).
    """
    out_dtype = _out_dtype(dtype)
    md = check_metadata(metadata)
    progress = check_progress(progress)
    if isinstance(chunk_bytes, bool) or not isinstance(chunk_bytes, int) or chunk_bytes < 1:
        raise ValueError(f"chunk_bytes must be a positive int, got {chunk_bytes!r}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be a bool, got {type(overwrite).__name__}")
    target = Path(os.fspath(path))
    limit = None if max_shard_size is None else parse_size(max_shard_size)
    if limit is None and target.is_dir():
        raise IsADirectoryError(f"path {str(target)!r} is a folder; give a file name, or "
                                f"max_shard_size to write shards into it")
    if limit is None and not overwrite and os.path.lexists(target):
        raise FileExistsError(f"path {str(target)!r} exists; pass overwrite=True to replace it")

    plan = plan_checkpoint(module, seed, scheme, **init_options)

    def stored(t: Any) -> torch.dtype:
        return out_dtype if out_dtype is not None and t.dtype.is_floating_point else t.dtype

    entries = {t.name: (t.name, stored(t), t.shape) for t in plan.tensors}
    extra: list[tuple[Path, bytes]] = []
    if limit is None:
        files = [OutputFile(target, file_layout(list(entries.values()), md))]
    else:
        sizes = [(name, nbytes_of(d, shape)) for name, d, shape in entries.values()]
        shards = split_into_shards(sizes, limit)
        names = shard_file_names(len(shards))
        files = [OutputFile(target / fname, file_layout([entries[n] for n in shard], md))
                 for fname, shard in zip(names, shards)]
        if len(shards) > 1:
            weight_map = {n: fname for fname, shard in zip(names, shards) for n in shard}
            extra.append((target / INDEX_NAME,
                          index_json(weight_map, sum(n for _, n in sizes))))
        finals = [f.path for f in files] + [p for p, _ in extra]
        taken = [p for p in finals if os.path.lexists(p)]
        if taken and not overwrite:
            raise FileExistsError(f"{str(taken[0])!r} exists; pass overwrite=True to replace it")
        target.mkdir(exist_ok=True)
    total = sum(f.layout.file_size for f in files)
    bar = progress_bar(total, f"save_random {target.name}", progress)
    write_files(plan, files, extra, seed, chunk_bytes, overwrite, bar)
    if limit is not None:
        if overwrite:
            _remove_stale(target, {f.path.name for f in files} | {p.name for p, _ in extra})
        return extra[0][0] if extra else files[0].path
    return target


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """The checkpoint files of an earlier save in `folder` that this one did not
    write (a loader would read a stale ``model.safetensors`` before the index)."""
    for p in folder.iterdir():
        if p.name not in keep and (p.name in (SINGLE_NAME, INDEX_NAME)
                                   or _SHARD_FILE.match(p.name)):
            p.unlink()
