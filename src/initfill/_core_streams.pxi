# The stream counter of a Generator: a C integer that the fast path advances without
# calling back into Python.

@cython.final
cdef class StreamCounter:
    """The next counter stream of one :class:`initfill.Generator`.

    Owned by its Generator (which hands it to :func:`fill_fast`); nothing else
    creates or advances one.  ``take()`` returns the next stream and advances the
    counter by one as one step: it runs without releasing the GIL, and in a
    free-threaded build inside a critical section of the counter.
    """
    cdef uint64_t _next
    cdef bint _exhausted

    def __cinit__(self, next_stream):
        if not 0 <= next_stream < 2 ** 64:
            raise ValueError(f"next_stream must be in [0, 2**64), got {next_stream}")
        self._next = next_stream
        self._exhausted = False

    @property
    def next(self):
        """The stream the next ``take()`` returns (``2**64`` once all are taken)."""
        return 2 ** 64 if self._exhausted else self._next

    cdef int take_c(self, uint64_t *out) except -1:
        with cython.critical_section(self):
            if self._exhausted:
                raise ValueError("this generator has used all 2**64 of its counter streams")
            out[0] = self._next
            if self._next == 0xFFFFFFFFFFFFFFFFULL:
                self._exhausted = True
            else:
                self._next += 1
        return 0

    def take(self):
        """Return the next stream and advance the counter."""
        cdef uint64_t s
        self.take_c(&s)
        return s

    def __reduce__(self):
        raise TypeError("a stream counter is not pickled on its own; it belongs to its Generator")
