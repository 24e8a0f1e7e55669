/* driver.h - internal: the checks of a strided fill, apart from the fill.
 *
 * if_check_strided returns the status initfill_fill_strided would return for the
 * view before writing anything (INITFILL_OK when it would fill it), and sets *total
 * to its number of elements (0 when the view is empty, which is OK whatever the
 * data pointer).  The Cython layer asks it before filling a long view in parts, so
 * that no part is written before an error a later part would meet.
 *
 * Not part of the public interface (initfill.h). */
#ifndef INITFILL_DRIVER_H
#define INITFILL_DRIVER_H

#include <stdint.h>

#include "initfill/initfill.h"

int if_check_strided(const initfill_plan *plan, const void *data, int ndim,
                     const int64_t *shape, const int64_t *strides, const int64_t *gstrides,
                     uint64_t gbase, int nthreads, uint64_t *total);

#endif /* INITFILL_DRIVER_H */
