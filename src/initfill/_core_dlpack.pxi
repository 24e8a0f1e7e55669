# DLPack capsules, read without being consumed.

# ---- DLPack: only the struct layouts (dlpack.h, v0.x and v1.x); nothing is owned here.
cdef extern from "Python.h":
    bint PyCapsule_IsValid(object capsule, const char *name)
    void *PyCapsule_GetPointer(object capsule, const char *name) except? NULL

ctypedef struct if_DLDevice:
    int device_type
    int32_t device_id

ctypedef struct if_DLDataType:
    uint8_t code
    uint8_t bits
    uint16_t lanes

ctypedef struct if_DLTensor:
    void *data
    if_DLDevice device
    int32_t ndim
    if_DLDataType dtype
    int64_t *shape
    int64_t *strides
    uint64_t byte_offset

ctypedef struct if_DLManagedTensor:
    if_DLTensor dl_tensor
    void *manager_ctx
    void *deleter

ctypedef struct if_DLPackVersion:
    uint32_t major
    uint32_t minor

ctypedef struct if_DLManagedTensorVersioned:
    if_DLPackVersion version
    void *manager_ctx
    void *deleter
    uint64_t flags
    if_DLTensor dl_tensor


def dlpack_info(capsule):
    """Read a DLPack capsule without consuming it.

    Returns ``(address, shape, strides_in_elements_or_None, type_code, bits, lanes,
    readonly)``; `readonly` is None for a pre-1.0 capsule, which cannot say.  The
    capsule keeps ownership: keep it alive while the memory is used, and its
    destructor releases the tensor.
    """
    cdef if_DLTensor *t
    cdef if_DLManagedTensorVersioned *mv
    cdef if_DLManagedTensor *m
    readonly = None
    if PyCapsule_IsValid(capsule, b"dltensor_versioned"):
        mv = <if_DLManagedTensorVersioned *>PyCapsule_GetPointer(capsule, b"dltensor_versioned")
        if mv.version.major != 1:
            raise TypeError(f"unsupported DLPack version {mv.version.major}.{mv.version.minor}")
        t = &mv.dl_tensor
        readonly = bool(mv.flags & 1)
    elif PyCapsule_IsValid(capsule, b"dltensor"):
        m = <if_DLManagedTensor *>PyCapsule_GetPointer(capsule, b"dltensor")
        t = &m.dl_tensor
    else:
        raise TypeError("__dlpack__ did not return an unused DLPack capsule")
    if t.ndim < 0 or t.ndim > INITFILL_MAX_NDIM:
        raise ValueError(f"x has {t.ndim} dimensions; initfill handles up to {INITFILL_MAX_NDIM}")
    shape = tuple(t.shape[i] for i in range(t.ndim))
    strides = None if t.strides == NULL else tuple(t.strides[i] for i in range(t.ndim))
    addr = <uintptr_t>t.data + <uintptr_t>t.byte_offset
    return (addr, shape, strides, t.dtype.code, t.dtype.bits, t.dtype.lanes, readonly)
