/* initfill/initfill_capi.h - call initfill's kernels from a Python extension module
 * without linking to initfill.
 *
 * The Python package exports its table of entry points (struct initfill_capi, see
 * initfill.h) as the PyCapsule `initfill._C_API`.  This header, which needs Python.h,
 * fetches it and wraps every entry point:
 *
 *     #include <Python.h>
 *     #include "initfill/initfill_capi.h"     // include dir: initfill.get_include()
 *
 *     PyMODINIT_FUNC PyInit_mymod(void) {
 *         if (initfill_import_capi() < 0) return NULL;   // ImportError is set
 *         ...
 *     }
 *     // later, with or without the GIL:
 *     int st = initfill_capi_normal_f32(out, n, first, seed, stream, 0.0, 0.02, 4);
 *     if (st != INITFILL_OK) ... initfill_capi_status_string(st) ...
 *
 * initfill_import_capi() imports `initfill`, checks that the table has the ABI version
 * and at least the size this module was compiled against, and raises ImportError
 * with an explanation otherwise.  It needs the GIL; it is cheap and may be called
 * again.  The table pointer is a `static` variable, so every translation unit that
 * calls the wrappers must call initfill_import_capi() itself (typically from the
 * module's init function).  A wrapper called before a successful import returns
 * INITFILL_ERR_CAPI and writes nothing.
 *
 * The wrappers have the signatures of the functions of the same name without the
 * `capi_` (initfill.h documents them: one wrapper per entry of
 * INITFILL_CAPI_ENTRIES), produce the same values, and need no GIL (release it
 * around large fills); initfill_capi_status_string works before the import too.
 * Usable from C and C++.
 *
 * The half-precision fills (initfill_capi_uniform_f16, initfill_capi_uniform_bf16,
 * ..._normal_f16/_bf16, ..._trunc_normal_f16/_bf16) were appended to the table after
 * its first release: a module compiled with this header refuses to import against an
 * older initfill whose table is smaller (the size check of initfill_import_capi)
 * instead of calling past the table's end. */
#ifndef INITFILL_INITFILL_CAPI_H
#define INITFILL_INITFILL_CAPI_H

#include <Python.h>
#include <stdint.h>

#include "initfill.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The capsule's name: module `initfill`, attribute `_C_API`. */
#define INITFILL_CAPSULE_NAME "initfill._C_API"

/* The table of this translation unit, set by initfill_import_capi(). */
static const initfill_capi *initfill_capi_table = NULL;

/* Imports the table.  Returns 0, or -1 with ImportError set. */
static inline int initfill_import_capi(void) {
    if (initfill_capi_table != NULL) return 0;
    const initfill_capi *t =
        (const initfill_capi *)PyCapsule_Import(INITFILL_CAPSULE_NAME, 0);
    if (t == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ImportError)) {
            /* e.g. AttributeError from an initfill without a C API: say what failed. */
#if PY_VERSION_HEX >= 0x030C0000
            PyObject *value = PyErr_GetRaisedException();
#else
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            Py_XDECREF(type);
            Py_XDECREF(tb);
#endif
            PyErr_Format(PyExc_ImportError,
                         "initfill C API: could not get the capsule %s (%S); install "
                         "an initfill that exports it",
                         INITFILL_CAPSULE_NAME, value != NULL ? value : Py_None);
            Py_XDECREF(value);
        }
        return -1;
    }
    if (t->abi_version != INITFILL_ABI_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "initfill C API: the installed initfill has ABI version %u, but this "
                     "module was compiled against ABI version %d; rebuild it with the "
                     "headers of the installed initfill (initfill.get_include())",
                     (unsigned)t->abi_version, INITFILL_ABI_VERSION);
        return -1;
    }
    if (t->size < (uint32_t)sizeof(initfill_capi)) {
        PyErr_Format(PyExc_ImportError,
                     "initfill C API: the installed initfill exports a table of %u bytes, "
                     "but this module was compiled against newer headers that expect "
                     "%u bytes; upgrade initfill",
                     (unsigned)t->size, (unsigned)sizeof(initfill_capi));
        return -1;
    }
    initfill_capi_table = t;
    return 0;
}

/* The imported table, or NULL before a successful initfill_import_capi(). */
static inline const initfill_capi *initfill_capi_get(void) { return initfill_capi_table; }

/* What a wrapper returns before the import: INITFILL_ERR_CAPI, and for
 * initfill_capi_status_string the library's own text (the strings are in
 * initfill.h), so that it works before the import too. */
#define INITFILL_CAPI_UNIMPORTED_FILL2 INITFILL_ERR_CAPI
#define INITFILL_CAPI_UNIMPORTED_FILL4 INITFILL_ERR_CAPI
#define INITFILL_CAPI_UNIMPORTED_BITS INITFILL_ERR_CAPI
#define INITFILL_CAPI_UNIMPORTED_FILL_ND INITFILL_ERR_CAPI
#define INITFILL_CAPI_UNIMPORTED_STATUS initfill_capi_status_text_(status)

#define INITFILL_CAPI_STATUS_CASE_(name, code, text) \
    case INITFILL_##name: return text;
static inline const char *initfill_capi_status_text_(int status) {
    switch (status) {
    INITFILL_STATUS_CODES(INITFILL_CAPI_STATUS_CASE_)
    default: return "unknown status (initfill C API not imported)";
    }
}
#undef INITFILL_CAPI_STATUS_CASE_

/* initfill_capi_<name> for every entry of INITFILL_CAPI_ENTRIES (initfill.h): the
 * same parameters as initfill_<name>, called through the imported table. */
#define INITFILL_CAPI_WRAPPER_(name, ret, kind, T, dist, dtype)                      \
    static inline ret initfill_capi_##name INITFILL_PARAMS_##kind(T) {               \
        const initfill_capi *t = initfill_capi_table;                                \
        if (t == NULL) return INITFILL_CAPI_UNIMPORTED_##kind;                       \
        return t->name INITFILL_ARGS_##kind;                                         \
    }
INITFILL_CAPI_ENTRIES(INITFILL_CAPI_WRAPPER_)
#undef INITFILL_CAPI_WRAPPER_

/* INITFILL_ALGORITHM_VERSION of the installed initfill, or -1 before the import. */
static inline int initfill_capi_algorithm_version(void) {
    const initfill_capi *t = initfill_capi_table;
    return t == NULL ? -1 : (int)t->algorithm_version;
}

#ifdef __cplusplus
}
#endif

#endif /* INITFILL_INITFILL_CAPI_H */
