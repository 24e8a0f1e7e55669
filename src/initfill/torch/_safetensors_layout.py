"""Where every byte of a safetensors file goes, known before any value exists: the
header (the same JSON ``safetensors`` 0.8 writes), the tensor order, the data offsets,
and the split into shards with their ``model.safetensors.index.json``.

The layout facts (from safetensors' Rust ``tensor.rs``): the file is an 8-byte
little-endian header length ``n``, ``n`` bytes of compact JSON padded with spaces to a
multiple of 8, then the tensors' bytes back to back with no padding between them.
The tensors are sorted by dtype, the dtypes of the biggest alignment first (the order
of safetensors' ``Dtype`` enum, descending), then by name; the JSON has
``"__metadata__"`` first (when metadata is given, even empty), then one
``{"dtype", "shape", "data_offsets"}`` object per tensor in file order.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

# safetensors' Dtype enum in its declared (ascending alignment) order: the file
# sorts by the position in this list, descending.
_DTYPE_ORDER = ("BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3",
                "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16",
                "I32", "U32", "F32", "C64", "F64", "I64", "U64")
_RANK = {name: i for i, name in enumerate(_DTYPE_ORDER)}

SAFETENSORS_DTYPES: dict[torch.dtype, str] = {
    torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16",
    torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32",
    torch.float32: "F32", torch.complex64: "C64", torch.float64: "F64",
    torch.int64: "I64",
}
for _name, _code in (("uint16", "U16"), ("uint32", "U32"), ("uint64", "U64"),
                     ("float8_e5m2", "F8_E5M2"), ("float8_e4m3fn", "F8_E4M3"),
                     ("float8_e8m0fnu", "F8_E8M0"), ("float8_e4m3fnuz", "F8_E4M3FNUZ"),
                     ("float8_e5m2fnuz", "F8_E5M2FNUZ")):
    if hasattr(torch, _name):
        SAFETENSORS_DTYPES[getattr(torch, _name)] = _code

HEADER_ALIGNMENT = 8
INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"


@dataclass(frozen=True)
class TensorSlot:
    """One tensor of a file: its name, dtype, shape and byte range in the data
    section (``start``, ``stop``)."""

    name: str
    dtype: torch.dtype
    shape: tuple[int, ...]
    start: int
    stop: int


@dataclass(frozen=True)
class FileLayout:
    """A whole safetensors file: its `header` (length word, JSON and padding), the
    tensors in file order, and the size of the data section."""

    header: bytes
    slots: tuple[TensorSlot, ...]
    data_size: int

    @functools.cached_property
    def slot_starts(self) -> list[int]:
        """Where each slot starts in the data section (ascending)."""
        return [s.start for s in self.slots]

    @property
    def file_size(self) -> int:
        """Header plus data, in bytes."""
        return len(self.header) + self.data_size


def safetensors_dtype(dtype: torch.dtype, name: str) -> str:
    """The safetensors code of `dtype` (``"F32"``, ``"BF16"``, ...)."""
    code = SAFETENSORS_DTYPES.get(dtype)
    if code is None:
        raise TypeError(f"tensor {name!r} has dtype {dtype}, which safetensors cannot store")
    return code


def nbytes_of(dtype: torch.dtype, shape: Sequence[int]) -> int:
    """Bytes of a contiguous tensor of `dtype` and `shape`."""
    n = 1
    for d in shape:
        n *= int(d)
    return n * torch.empty((), dtype=dtype).element_size()


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str] | None:
    """`metadata` as a dict of str to str (what safetensors accepts), or None."""
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a mapping of str to str, got {type(metadata).__name__}")
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"metadata must map str to str, got {k!r}: {v!r}")
    return dict(metadata)


def file_layout(tensors: Sequence[tuple[str, torch.dtype, tuple[int, ...]]],
                metadata: Mapping[str, str] | None) -> FileLayout:
    """The layout ``safetensors.torch.save_file`` gives `tensors` (``(name, dtype,
    shape)``, any order) and `metadata`.  With more than one metadata key,
    safetensors itself writes them in a hash order that changes from run to run;
    here they keep the order of `metadata`."""
    coded = [(name, dtype, tuple(int(d) for d in shape), safetensors_dtype(dtype, name))
             for name, dtype, shape in tensors]
    coded.sort(key=lambda t: t[0].encode("utf-8"))
    coded.sort(key=lambda t: _RANK[t[3]], reverse=True)   # stable: by name within a dtype
    slots = []
    head: dict[str, object] = {}
    if metadata is not None:
        head["__metadata__"] = dict(metadata)
    offset = 0
    for name, dtype, shape, code in coded:
        n = nbytes_of(dtype, shape)
        slots.append(TensorSlot(name, dtype, shape, offset, offset + n))
        head[name] = {"dtype": code, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    padded = text + b" " * (-len(text) % HEADER_ALIGNMENT)
    return FileLayout(len(padded).to_bytes(8, "little") + padded, tuple(slots), offset)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(size: int | str, what: str = "max_shard_size") -> int:
    """Bytes from an int or a string such as ``"5GB"`` (decimal units, as
    transformers), ``"512MiB"`` (binary) or ``"1000"``; at least 1."""
    if isinstance(size, bool) or not isinstance(size, (int, str)):
        raise TypeError(f"{what} must be an int or a str such as '5GB', got {type(size).__name__}")
    if isinstance(size, str):
        m = _SIZE.match(size)
        if m is None:
            raise ValueError(f"{what} must be a size such as '5GB', '512MiB' or '1000', "
                             f"got {size!r}")
        size = int(float(m.group(1)) * _UNITS[(m.group(2) or "B").upper()])
    if size < 1:
        raise ValueError(f"{what} must be at least 1 byte, got {size}")
    return size


def split_into_shards(sizes: Sequence[tuple[str, int]], max_shard_size: int) -> list[list[str]]:
    """Names per shard, as huggingface_hub splits a state dict (``sizes`` in state
    dict order): a tensor bigger than `max_shard_size` gets a shard of its own, and
    a shard is closed when the next tensor would take it over the limit."""
    shards: list[list[str]] = []
    current: list[str] = []
    current_size = 0
    for name, n in sizes:
        if n > max_shard_size:
            shards.append([name])
            continue
        if current and current_size + n > max_shard_size:
            shards.append(current)
            current, current_size = [], 0
        current.append(name)
        current_size += n
    if current or not shards:
        shards.append(current)
    return shards


def shard_file_names(count: int) -> list[str]:
    """``model.safetensors`` for one shard, else ``model-0000i-of-0000N.safetensors``."""
    if count == 1:
        return [SINGLE_NAME]
    return [f"model-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)]


def index_json(weight_map: Mapping[str, str], total_size: int) -> bytes:
    """``model.safetensors.index.json`` as transformers writes it."""
    index = {"metadata": {"total_size": total_size}, "weight_map": dict(weight_map)}
    return (json.dumps(index, indent=2, sort_keys=True) + "\n").encode("utf-8")
