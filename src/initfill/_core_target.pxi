# The output of one fill, resolved once (initfill/_target.py resolves it).

@cython.auto_pickle(False)
@cython.final
cdef class Target:
    """A buffer and its addressing, resolved once per call and passed down.

    Attributes
    ----------
    source : object
        What the caller passed (returned by the fill).
    array : ndarray
        A writable, aligned, native-endian view of the memory of `source`.
    code : int
        The C element type (``FLOAT32`` ...).
    global_shape : tuple of int
        Shape of the logical tensor (fans are read from it).
    gstrides : tuple of int or None
        C-order element strides of the logical tensor; None when `array` is the
        whole tensor (C derives them from its shape).
    gbase : int
        Global index of the first element of `array`.
    tensor : torch.Tensor or None
        The torch tensor to tell after the write (its version counter), if any.
    """
    cdef readonly object source, array, global_shape, gstrides, gbase, tensor
    cdef readonly int code

    def __init__(self, source, array, int code, tuple global_shape, gstrides, gbase,
                 tensor):
        self.source = source
        self.array = array
        self.code = code
        self.global_shape = global_shape
        self.gstrides = gstrides
        self.gbase = gbase
        self.tensor = tensor

    def tell_written(self):
        """Tell torch that the target was written (bumps a tensor's version counter)."""
        if self.tensor is not None:
            bump_version(self.tensor)


def whole_array_target(x, bint bits):
    """The Target of `x` filled whole, if `x` is a C-contiguous, aligned, writable,
    native-endian ndarray of a type of the fill (nothing else to check); else None."""
    cdef int code = ndarray_code(x, bits)
    if code < 0:
        return None
    cdef Target t = Target.__new__(Target)
    t.source = x
    t.array = x
    t.code = code
    t.global_shape = (<object>x).shape
    t.gstrides = None
    t.gbase = 0
    t.tensor = None
    return t
