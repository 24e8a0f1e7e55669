# The C API table: the capsule initfill._C_API and its entry points.

cdef extern from "initfill/initfill.h" nogil:
    int INITFILL_ABI_VERSION, INITFILL_ERR_CAPI
    ctypedef struct initfill_capi:
        uint32_t abi_version
        uint32_t size
        uint32_t algorithm_version
    const initfill_capi *initfill_get_capi()

# The entry points of the table as data, generated in C from the one list
# INITFILL_CAPI_ENTRIES of initfill.h.
cdef extern from "capi_entries.h" nogil:
    ctypedef void (*if_function)()
    ctypedef struct if_capi_entry:
        const char *name
        const char *kind
        const char *out_type
        if_function function
    const if_capi_entry if_capi_entries[]
    const int if_capi_entry_count

cdef extern from "Python.h":
    object PyCapsule_New(void *pointer, const char *name, void *destructor)

ALGORITHM_VERSION = INITFILL_ALGORITHM_VERSION
ABI_VERSION = INITFILL_ABI_VERSION
MAX_THREADS = INITFILL_MAX_THREADS

# The table of C entry points for other extension modules (initfill_capi.h imports
# it as initfill._C_API); it points to static storage, so the capsule needs no
# destructor.
_C_API = PyCapsule_New(<void *>initfill_get_capi(), b"initfill._C_API", NULL)


def capi_entries():
    """Return the entry points of the C API table, in the order of its fields.

    Returns
    -------
    tuple of tuple
        ``(name, address, kind, out_type)`` per entry: the C function
        ``initfill_<name>`` of ``initfill/initfill.h``, its address, the name of its
        parameter list (``"FILL2"``, ``"FILL4"``, ``"BITS"``, ``"FILL_ND"``,
        ``"STATUS"``: ``INITFILL_PARAMS_<kind>``) and the C type of its output
        elements (``"float"``, ``"double"``, ``"uint16_t"``, ``"uint32_t"``,
        ``"uint64_t"``, or ``"void"``).  Read from the list ``INITFILL_CAPI_ENTRIES``
        (used by :mod:`initfill.ctypes_api`).
    """
    cdef int k
    cdef const if_capi_entry *e
    entries = []
    for k in range(if_capi_entry_count):
        e = &if_capi_entries[k]
        entries.append((e.name.decode("ascii"), <size_t>e.function,
                        e.kind.decode("ascii"), e.out_type.decode("ascii")))
    return tuple(entries)


def capi_header():
    """Return the header of the C API table exported as ``initfill._C_API``.

    Returns
    -------
    tuple of int
        ``(abi_version, size, algorithm_version)``; ``size`` is the table's size in
        bytes.
    """
    cdef const initfill_capi *t = initfill_get_capi()
    return (t.abi_version, t.size, t.algorithm_version)

# Below this many elements the GIL is kept: releasing it costs more than the fill.
