/* capi_entries.h - internal: the entry points of INITFILL_CAPI_ENTRIES as data, for
 * the Python package (its capsule view and initfill.ctypes_api read names, kinds and
 * addresses from here rather than typing the list again). */
#ifndef INITFILL_CAPI_ENTRIES_H
#define INITFILL_CAPI_ENTRIES_H

#include "initfill/initfill.h"

typedef struct {
    const char *name;     /* "uniform_f32": the function initfill_<name> */
    const char *kind;     /* "FILL2", "FILL4", "BITS", "FILL_ND" or "STATUS" */
    const char *out_type; /* the output element type: "float", ..., "void" */
    void (*function)(void);
} if_capi_entry;

/* In the order of the fields of initfill_capi. */
extern const if_capi_entry if_capi_entries[];
extern const int if_capi_entry_count;

#endif /* INITFILL_CAPI_ENTRIES_H */
