"""Turning what a user passes as ``x`` into a writable NumPy view of the same memory.

Nothing here copies: every accepted object is viewed in place, and anything that
cannot be viewed in place is refused with a TypeError or ValueError that names the
argument, before a single element is written.
"""
from __future__ import annotations

import math
import operator
import sys
from typing import Any

import numpy as np

from . import _core
from ._core import BFLOAT16, FLOAT16, FLOAT32, FLOAT64, UINT32, UINT64

FLOAT_CODES: dict[np.dtype, int] = {
    np.dtype(np.float32): FLOAT32,
    np.dtype(np.float64): FLOAT64,
    np.dtype(np.float16): FLOAT16,
}
BITS_CODES: dict[np.dtype, int] = {np.dtype(np.uint32): UINT32, np.dtype(np.uint64): UINT64}
# bfloat16 has no NumPy dtype of its own: it is ml_dtypes.bfloat16 when that package
# is used (recognised by name, never imported here), or a uint16 array given with
# dtype="bfloat16" (or a torch/DLPack bfloat16 tensor), which is viewed as uint16.
CODE_NAMES = {FLOAT32: "float32", FLOAT64: "float64", UINT32: "uint32",
              UINT64: "uint64", FLOAT16: "float16", BFLOAT16: "bfloat16"}
_BO = "<" if sys.byteorder == "little" else ">"
# torch dtype (str) -> (array-interface typestr, C code)
_TORCH_TYPES = {
    "torch.float32": (_BO + "f4", FLOAT32),
    "torch.float64": (_BO + "f8", FLOAT64),
    "torch.float16": (_BO + "f2", FLOAT16),
    "torch.bfloat16": (_BO + "u2", BFLOAT16),
    "torch.uint32": (_BO + "u4", UINT32),
    "torch.uint64": (_BO + "u8", UINT64),
}
# DLPack (type code, bits) -> (typestr, C code): kDLUInt = 1, kDLFloat = 2, kDLBfloat = 4
_DLPACK_TYPES = {
    (2, 32): (_BO + "f4", FLOAT32),
    (2, 64): (_BO + "f8", FLOAT64),
    (2, 16): (_BO + "f2", FLOAT16),
    (4, 16): (_BO + "u2", BFLOAT16),
    (1, 32): (_BO + "u4", UINT32),
    (1, 64): (_BO + "u8", UINT64),
}
_KDLCPU = 1


def is_bfloat16_dtype(dt: np.dtype) -> bool:
    """True for ml_dtypes' bfloat16 dtype (checked without importing ml_dtypes)."""
    return dt.name == "bfloat16" and dt.itemsize == 2 and dt.type.__module__.startswith("ml_dtypes")


def is_torch_tensor(x: Any) -> bool:
    """True for a torch.Tensor (or subclass), without importing torch."""
    for c in type(x).__mro__:
        if c.__name__ == "Tensor" and c.__module__ == "torch":
            return True
    return False


def is_dtensor(x: Any) -> bool:
    """True for a ``torch.distributed.tensor.DTensor``, without importing it (none
    exists before ``torch.distributed.tensor`` is imported)."""
    cls = getattr(sys.modules.get("torch.distributed.tensor"), "DTensor", None)
    return cls is not None and isinstance(x, cls)


class _View:
    """Carries an ``__array_interface__`` and keeps the memory's owner alive."""

    __slots__ = ("__array_interface__", "owner")

    def __init__(self, iface: dict, owner: Any) -> None:
        self.__array_interface__ = iface
        self.owner = owner


def _disjoint(shape: tuple[int, ...], bstrides: tuple[int, ...], itemsize: int) -> bool:
    """True when no two elements of a view can overlap in memory.

    Sufficient test: with the dimensions sorted by |stride|, each stride must step
    over everything the smaller dimensions span.  Every view made by slicing,
    transposing or reshaping passes; only hand-made ``as_strided`` views or expanded
    tensors, with zero or interleaved strides, fail.
    """
    if 0 in shape:
        return True
    span = itemsize
    for st, n in sorted((abs(st), n) for n, st in zip(shape, bstrides) if n > 1):
        if st < span:
            return False
        span += st * (n - 1)
    return True


def _raw_view(ptr: int, shape: tuple[int, ...], bstrides: tuple[int, ...] | None,
              typestr: str, owner: Any) -> np.ndarray:
    dt = np.dtype(typestr)
    if 0 in shape:
        return np.empty(shape, dt)
    iface = {"shape": tuple(shape), "typestr": typestr, "data": (ptr, False),
             "strides": None if bstrides is None else tuple(bstrides), "version": 3}
    return np.asarray(_View(iface, owner))


def _device_error(kind: str) -> str:
    if kind == "meta":
        return ("x is a meta tensor: it has no memory to fill. Materialize it first, "
                "e.g. module.to_empty(device='cpu') or torch.empty_like(x, device='cpu'), "
                "then fill it")
    return (f"x is on device {kind!r}; initfill fills CPU memory only. Fill a CPU tensor "
            f"and copy it over (x.copy_(cpu_tensor)), or use torch.nn.init for device "
            f"tensors (initfill.torch hands them to torch unchanged)")


def _lazy_view_error(x: Any) -> Exception | None:
    """The error for a torch tensor whose memory does not hold its values as they
    read (a lazy view torch resolves on access), or None for an ordinary tensor."""
    if x.is_nested:
        return TypeError(
            "x is a nested tensor; initfill fills dense (strided) tensors only: fill each "
            "of its components (x.unbind()) or the dense tensor it was built from"
        )
    if x._is_zerotensor():
        return TypeError(
            "x is a ZeroTensor (torch's lazy, memoryless zeros, e.g. from autograd); it has "
            "no memory to fill: fill a tensor made with torch.zeros or torch.empty"
        )
    if x.is_neg():
        return ValueError(
            "x is a negated view (x.is_neg() is True, e.g. the .imag of a conjugated "
            "complex tensor): its memory holds -x, so writing it would store the wrong "
            "sign.  x.resolve_neg() returns a new tensor, not a view, so filling that does "
            "not write x: fill the tensor x was viewed from, or fill "
            "torch.empty_like(x.resolve_neg()) and copy it in with x.copy_(...)"
        )
    if x.is_conj():
        return ValueError(
            "x is a conjugated view (x.is_conj() is True): its memory holds the conjugate "
            "of x.  x.resolve_conj() returns a new tensor, not a view, so filling that "
            "does not write x: fill the tensor x was viewed from, or fill a new tensor "
            "and copy it in with x.copy_(...)"
        )
    return None


def _storage_check(x: Any, shape: tuple[int, ...], estrides: tuple[int, ...], es: int) -> None:
    """ValueError unless every element of the view lies inside its storage's bytes
    (``untyped_storage().nbytes()``; code that shards parameters shrinks a
    storage in place with ``resize_``, leaving views that reach past it)."""
    n = x.numel()
    if n == 0:
        return
    if x.data_ptr() == 0:
        raise ValueError(
            "x has no memory (its data pointer is NULL): its storage was resized to 0 "
            "bytes (resize it or make x anew before filling it), or x is a tensor "
            "subclass that wraps others without memory of its own (a FakeTensor, a "
            "__torch_dispatch__ wrapper): fill the local tensor(s) it wraps, or call "
            "initfill.torch's drop-ins (initfill.torch.normal_(x, ...)), which hand such "
            "tensors to torch.  (A DTensor initfill fills itself, shard by shard.)"
        )
    lo = hi = x.storage_offset()
    if x.is_contiguous():
        hi += n - 1
    else:
        for k, st in zip(shape, estrides):
            if st < 0:
                lo += (k - 1) * st
            else:
                hi += (k - 1) * st
    nbytes = x.untyped_storage().nbytes()
    if lo < 0 or (hi + 1) * es > nbytes:
        raise ValueError(
            f"x reaches past its storage: its elements span bytes [{lo * es}, "
            f"{(hi + 1) * es}) of a storage of {nbytes} bytes (a storage shrunk in place, "
            f"e.g. by untyped_storage().resize_()); nothing was written.  Give the "
            f"storage its full size again (or fill a new tensor) before filling x"
        )


def torch_view(x: Any) -> tuple[np.ndarray, int]:
    """Return ``(view, code)``: an ndarray over a CPU torch tensor's memory, no copy.

    Refuses (before anything is written) tensors whose memory does not hold their
    values as they read (nested, ZeroTensor, negated or conjugated lazy views) and
    views that reach past their storage.
    """
    dev = x.device.type
    if dev != "cpu":
        raise TypeError(_device_error(dev))
    lazy = _lazy_view_error(x)
    if lazy is not None:
        raise lazy
    if str(x.layout) != "torch.strided":
        raise TypeError(f"x is a {x.layout} tensor; initfill fills dense (strided) tensors only")
    entry = _TORCH_TYPES.get(str(x.dtype))
    if entry is None:
        raise TypeError(
            f"x is a torch tensor of {x.dtype}; initfill fills torch.float32, float64, "
            f"float16 and bfloat16 tensors (bits_: torch.uint32, uint64)"
        )
    typestr, code = entry
    es = x.element_size()
    shape = tuple(x.shape)
    estrides = tuple(int(s) for s in x.stride())
    _storage_check(x, shape, estrides, es)
    bstrides = tuple(s * es for s in estrides)
    if x.numel() and x.data_ptr() % es:
        raise ValueError(f"x is not aligned to its {es}-byte elements")
    return _raw_view(x.data_ptr(), shape, bstrides, typestr, x), code


def dlpack_view(x: Any) -> tuple[np.ndarray, int]:
    """Return ``(view, code)`` over the memory of an object exporting ``__dlpack__``."""
    try:
        dev_type, dev_id = x.__dlpack_device__()
    except AttributeError:
        raise TypeError(f"{type(x).__name__} exports __dlpack__ but not __dlpack_device__") from None
    if int(dev_type) != _KDLCPU:
        raise TypeError(
            f"x lives on DLPack device type {int(dev_type)} (id {dev_id}), not the CPU "
            f"(type 1); initfill fills CPU memory only: fill a CPU array and copy it over"
        )
    try:
        try:
            capsule = x.__dlpack__(max_version=(1, 0), copy=False)
        except TypeError:
            capsule = x.__dlpack__()
    except BufferError as e:
        # The exporter's own refusal: read-only, byte order, strides or dtype; which it
        # was, only its text says, so it is one ValueError that carries that text.
        raise ValueError(
            f"x ({type(x).__name__}) refused to export its memory through DLPack: {e}. "
            f"initfill fills writable, native-endian float32, float64, float16 or "
            f"bfloat16 (bits_: uint32, uint64) memory in place"
        ) from None
    ptr, shape, estrides, tcode, bits, lanes, readonly = _core.dlpack_info(capsule)
    if readonly:
        raise ValueError("x is read-only (its DLPack export says so): initfill fills buffers in place")
    entry = _DLPACK_TYPES.get((tcode, bits))
    if entry is None or lanes != 1:
        raise TypeError(
            f"x has DLPack dtype (code {tcode}, {bits} bits, {lanes} lanes); initfill fills "
            f"float32, float64, float16 and bfloat16 (bits_: uint32, uint64)"
        )
    typestr, code = entry
    es = bits // 8
    if any(n < 0 for n in shape):
        raise ValueError(f"x has a negative extent in its DLPack shape {shape}")
    if 0 not in shape:
        # DLPack declares no buffer size: the address, shape and strides are all an
        # exporter says, so check that they make sense (not NULL, inside the address
        # space), and trust the rest.
        if ptr == 0:
            raise ValueError("x has no memory: its DLPack export has a NULL data pointer")
        span = [(n - 1) * st for n, st in zip(shape, estrides or ())]
        lo = ptr + es * sum(min(0, v) for v in span)
        hi = ptr + es * (sum(max(0, v) for v in span) + 1)
        if estrides is None:
            hi = ptr + es * math.prod(shape)
        if lo < 0 or hi > 1 << 64:
            raise ValueError(
                f"x's DLPack shape {shape} and strides {estrides} reach outside the "
                f"address space from address {ptr:#x}"
            )
        if ptr % es:
            raise ValueError(f"x is not aligned to its {es}-byte elements")
    bstrides = None if estrides is None else tuple(s * es for s in estrides)
    return _raw_view(ptr, shape, bstrides, typestr, capsule), code


def _want(dtype: Any) -> tuple[np.dtype, bool]:
    """(dtype to view a raw buffer as, whether it means bfloat16)."""
    if isinstance(dtype, str) and dtype.lower() in ("bfloat16", "bf16"):
        return np.dtype(np.uint16), True
    name = getattr(dtype, "__name__", None)
    if name == "bfloat16" and getattr(dtype, "__module__", "").startswith("ml_dtypes"):
        return np.dtype(dtype), True
    try:
        want = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy dtype or its name, got {dtype!r}") from None
    return want, is_bfloat16_dtype(want)


def _allowed(codes: dict[np.dtype, int]) -> set[int]:
    """The C types of a fill that accepts the NumPy types `codes` (float fills take
    bfloat16 too)."""
    allowed = set(codes.values())
    if FLOAT32 in allowed:
        allowed.add(BFLOAT16)
    return allowed


def _accepted(codes: dict[np.dtype, int]) -> str:
    """The element types of a fill that accepts `codes`, for messages."""
    return ", ".join(CODE_NAMES[c] for c in sorted(_allowed(codes)))


def _dtype_name(dt: np.dtype) -> str:
    return dt.name if dt.isnative else f"{dt.name} ({dt.str}, non-native byte order)"


def as_target(x: Any, dtype: Any, codes: dict[np.dtype, int],
              what: str) -> tuple[np.ndarray, int, Any]:
    """Return ``(view, code, tensor)``: a writable ndarray over ``x``'s memory, its C
    type, and `x` when it is a torch tensor (to tell after the write), else None.

    Parameters
    ----------
    x : ndarray or buffer-protocol object
        The output.  NumPy arrays may have any shape and strides; other objects
        (memoryview, bytearray, mmap, array.array, ...) are viewed through the
        buffer protocol.  Raw byte buffers need ``dtype``.
    dtype : dtype-like or None
        Element type of ``x`` when it is a raw byte buffer.
    codes : dict
        The element types this fill accepts.
    what : str
        Name of the fill, for messages.
    """
    forced = tensor = None
    if isinstance(x, np.ndarray):
        arr = x
    elif is_torch_tensor(x):
        arr, forced = torch_view(x)
        tensor = x
    elif hasattr(x, "__dlpack__") and not isinstance(x, (bytes, bytearray, memoryview)):
        arr, forced = dlpack_view(x)
    else:
        try:
            mv = memoryview(x)
        except TypeError:
            raise TypeError(
                f"x must be a NumPy array or a writable buffer-protocol object, "
                f"got {type(x).__name__}"
            ) from None
        if mv.readonly:
            raise ValueError("x is read-only: initfill fills buffers in place")
        arr = np.asarray(mv)
    if dtype is not None and forced is not None:
        want, bf = _want(dtype)
        wcode = BFLOAT16 if bf else {**FLOAT_CODES, **BITS_CODES}.get(want)
        if wcode != forced:
            raise TypeError(
                f"dtype={dtype!r} does not match x, whose elements are {CODE_NAMES[forced]}; "
                f"dtype= reinterprets raw buffers only"
            )
    elif dtype is not None:
        want, bf = _want(dtype)
        if not bf and codes.get(want.newbyteorder("=")) is None:
            raise TypeError(
                f"dtype={dtype!r} is not a type {what} fills: dtype= names the element "
                f"type of a raw buffer, one of {_accepted(codes)}"
            )
        wname = "bfloat16" if bf else want.name  # bfloat16 words are viewed as uint16
        if bf:
            forced = BFLOAT16
            if is_bfloat16_dtype(arr.dtype):
                want = arr.dtype
        if arr.dtype != want and want.itemsize == 2 and arr.dtype in (
            np.dtype(np.uint16), np.dtype(np.int16)
        ):
            arr = arr.view(want)  # raw 16-bit words, same shape and strides
        if arr.dtype != want:
            if arr.dtype.itemsize != 1 or arr.dtype.kind not in "uiSVb":
                raise TypeError(
                    f"dtype={wname} does not match x, whose elements are "
                    f"{_dtype_name(arr.dtype)}; dtype= reinterprets raw byte buffers only"
                )
            if not arr.flags.c_contiguous:
                raise ValueError("a raw byte buffer given with dtype= must be C-contiguous")
            arr = arr.reshape(-1)
            if arr.size % want.itemsize:
                raise ValueError(
                    f"x holds {arr.size} bytes, not a multiple of the {want.itemsize}-byte "
                    f"dtype {wname}"
                )
            if arr.size and arr.ctypes.data % want.alignment:
                raise ValueError(f"x is not aligned to {want.alignment} bytes for {wname}")
            arr = arr.view(want)
    dt = arr.dtype
    if forced is None and is_bfloat16_dtype(dt):
        forced = BFLOAT16
    code = codes.get(dt.newbyteorder("=")) if forced is None else forced
    if code is None or code not in _allowed(codes):
        have = _dtype_name(dt) if forced is None else CODE_NAMES[forced]
        raise TypeError(f"{what} fills {_accepted(codes)} buffers; x has dtype {have}")
    if not dt.isnative:
        raise TypeError(
            f"x has non-native byte order ({dt.str}); {what} writes {dt.name} in the "
            f"machine's byte order only: fill a native array and byte-swap a copy"
        )
    if not arr.flags.writeable:
        raise ValueError("x is read-only: initfill fills buffers in place")
    if not arr.flags.aligned:
        raise ValueError(f"x is not aligned to its {CODE_NAMES[code]} elements")
    if not _disjoint(arr.shape, arr.strides, arr.itemsize):
        raise ValueError(
            "x has elements that share memory (e.g. an expanded tensor or a zero stride "
            "from as_strided); initfill writes every element, so give it one whose "
            "elements do not overlap (e.g. x.contiguous() or x.copy())"
        )
    return arr, code, tensor


def _int_tuple(name: str, value: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a tuple of ints, got {type(value).__name__}")
    out = []
    for v in value:
        if isinstance(v, bool):
            raise TypeError(f"{name} must hold ints, got a bool")
        try:
            out.append(operator.index(v))
        except TypeError:
            raise TypeError(f"{name} must hold ints, got {type(v).__name__}") from None
    if len(out) != ndim:
        raise ValueError(f"{name} has {len(out)} entries but x has {ndim} dimensions")
    if any(v < 0 for v in out):
        raise ValueError(f"{name} must be non-negative, got {tuple(out)}")
    return tuple(out)


def addressing(
    shape: tuple[int, ...], global_shape: Any, offset: Any
) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Return ``(global_shape, gstrides, gbase)`` for a block of ``shape``.

    The block is ``[o0:o0+shape[0], o1:o1+shape[1], ...]`` of a logical C-order tensor
    of ``global_shape``; element ``i`` of the block has global index
    ``gbase + sum(i_k * gstrides[k])``.
    """
    ndim = len(shape)
    if global_shape is None:
        if offset is not None:
            raise ValueError("offset= needs global_shape=: the shape of the whole tensor")
        gshape = tuple(shape)
        off = (0,) * ndim
    else:
        gshape = _int_tuple("global_shape", global_shape, ndim)
        off = (0,) * ndim if offset is None else _int_tuple("offset", offset, ndim)
        for d in range(ndim):
            if off[d] + shape[d] > gshape[d]:
                raise ValueError(
                    f"the block does not fit in global_shape: along axis {d}, offset "
                    f"{off[d]} + extent {shape[d]} > {gshape[d]}"
                )
    total = 1
    for n in gshape:
        total *= n
    if total >= 1 << 63:
        raise ValueError(f"global_shape {gshape} has {total} elements, more than 2**63 - 1")
    gstrides = [1] * ndim
    for d in range(ndim - 2, -1, -1):
        gstrides[d] = gstrides[d + 1] * gshape[d + 1]
    gbase = sum(o * s for o, s in zip(off, gstrides))
    # A zero-size global shape has 0 elements whatever its other extents: its
    # strides and offsets must still be C int64 (checked here, before any stream).
    if max(gshape, default=0) >= 1 << 63 or max(gstrides, default=0) >= 1 << 63 \
            or gbase >= 1 << 63:
        raise ValueError(
            f"global_shape {gshape} (offset {off}) addresses elements beyond 2**63 - 1: "
            f"every extent and the C-order strides of the logical tensor must be below "
            f"2**63"
        )
    return gshape, tuple(gstrides), gbase
