# The seed and the stream counter of a Generator, as C integers that the fast path
# reads and advances without calling back into Python.

@cython.final
cdef class Streams:
    """The seed and the next counter stream of one :class:`initfill.Generator`.

    Owned by its Generator (which hands it to :func:`fill_fast`); nothing else
    creates or advances one.  ``take()`` returns the next stream and advances the
    counter by one as one step: it runs without releasing the GIL, and in a
    free-threaded build inside a critical section.

    The seed is given, or drawn once from `seed_source` (a callable returning an int
    in ``[0, 2**64)``) when it is first needed: at the first fill that has passed
    every check, or when ``seed`` is read.  So a fill that is refused draws nothing.
    """
    cdef uint64_t _next
    cdef uint64_t _seed
    cdef bint _exhausted
    cdef object _seed_source

    def __cinit__(self, next_stream, seed=None, seed_source=None):
        if not 0 <= next_stream <= 2 ** 64:
            raise ValueError(f"next_stream must be in [0, 2**64], got {next_stream}")
        if (seed is None) == (seed_source is None):
            raise ValueError("give exactly one of seed and seed_source")
        self._exhausted = next_stream == 2 ** 64
        self._next = 0 if self._exhausted else next_stream
        self._seed = 0 if seed is None else seed
        self._seed_source = seed_source

    @property
    def next(self):
        """The stream the next ``take()`` returns (``2**64`` once all are taken)."""
        return 2 ** 64 if self._exhausted else self._next

    cdef int resolve_seed(self) except -1:
        """Draw the seed from its source if it is not known yet."""
        if self._seed_source is not None:
            s = self._seed_source()
            if not 0 <= s < 2 ** 64:
                raise ValueError(f"the seed source gave {s}, not an int in [0, 2**64)")
            self._seed = s
            self._seed_source = None
        return 0

    @property
    def seed(self):
        """The 64-bit seed (drawn from the seed source on first use)."""
        self.resolve_seed()
        return self._seed

    cdef int take_c(self, uint64_t *stream, uint64_t *seed) except -1:
        """The next stream and the seed, for a fill that has passed its checks."""
        with cython.critical_section(self):
            if self._exhausted:
                raise ValueError("this generator has used all 2**64 of its counter streams")
            self.resolve_seed()
            stream[0] = self._next
            seed[0] = self._seed
            if self._next == 0xFFFFFFFFFFFFFFFFULL:
                self._exhausted = True
            else:
                self._next += 1
        return 0

    def take(self):
        """Return the next stream and advance the counter (resolving the seed)."""
        cdef uint64_t s, seed
        self.take_c(&s, &seed)
        return s

    def __reduce__(self):
        raise TypeError("Streams are not pickled on their own; they belong to a Generator")
