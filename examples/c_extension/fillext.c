/* fillext.c - a C extension module that fills buffers with initfill's kernels.
 *
 * It does not link to initfill: initfill_capi.h fetches the table of C entry points
 * from the capsule initfill._C_API when the module is imported.  Build with
 *     python setup.py build_ext --inplace
 * (setup.py adds initfill.get_include() to the include path), then
 *     >>> import numpy as np, fillext
 *     >>> w = np.empty(1000, np.float32)
 *     >>> fillext.fill("normal", w, 0, 42, 7, (0.0, 0.02))
 * writes the values of initfill.Generator(42).normal_(w, 0.0, 0.02, stream=7). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "initfill/initfill_capi.h"

/* fill(dist, out, first, seed, stream, params=(), nthreads=1)
 *
 * dist: "uniform" (low, high), "normal" (mean, std), "trunc_normal"
 * (mean, std, a, b) or "bits" (); out: a writable C-contiguous buffer of float32,
 * float64, float16, or uint16 words that receive bfloat16 bits ("bits": uint32 or
 * uint64); its elements take the values of global elements first .. first + len(out)
 * - 1 of `stream` under `seed`. */
static PyObject *fill(PyObject *self, PyObject *args, PyObject *kwargs) {
    static char *kwlist[] = {"dist", "out", "first", "seed", "stream", "params",
                             "nthreads", NULL};
    const char *dist;
    PyObject *out_obj, *params = NULL;
    unsigned long long first, seed, stream;
    int nthreads = 1;
    double p[4] = {0, 0, 0, 0};
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sOKKK|O!i", kwlist, &dist, &out_obj,
                                     &first, &seed, &stream, &PyTuple_Type, &params,
                                     &nthreads))
        return NULL;
    const Py_ssize_t np = params == NULL ? 0 : PyTuple_GET_SIZE(params);
    if (np > 4) {
        PyErr_SetString(PyExc_ValueError, "at most 4 parameters");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < np; ++i) {
        p[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(params, i));
        if (p[i] == -1.0 && PyErr_Occurred()) return NULL;
    }

    Py_buffer view;
    if (PyObject_GetBuffer(out_obj, &view,
                           PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    /* One-letter formats, optionally with native-order prefix '@' or '='. */
    const char *fmt = view.format[0] == '@' || view.format[0] == '=' ? view.format + 1
                                                                      : view.format;
    const char f = strlen(fmt) == 1 ? fmt[0] : '?';
    const uint64_t n = (uint64_t)(view.len / (view.itemsize ? view.itemsize : 1));
    int st = -1, want = -1;
    if (strcmp(dist, "uniform") == 0) want = 2;
    else if (strcmp(dist, "normal") == 0) want = 2;
    else if (strcmp(dist, "trunc_normal") == 0) want = 4;
    else if (strcmp(dist, "bits") == 0) want = 0;
    if (want < 0 || np != want) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "unknown dist %s or wrong number of parameters",
                     dist);
        return NULL;
    }

    void *buf = view.buf;
    const int is_uniform = strcmp(dist, "uniform") == 0;
    const int is_normal = strcmp(dist, "normal") == 0;
    const int is_trunc = strcmp(dist, "trunc_normal") == 0;
    /* uint32 is 'I' (or 'L' where long has 32 bits), uint64 'Q' (or 'L'). */
    const int u32 = view.itemsize == 4 && (f == 'I' || f == 'L');
    const int u64 = view.itemsize == 8 && (f == 'Q' || f == 'L');
    /* float16 is 'e'; uint16 words ('H') are taken as bfloat16 bits. */
    const int f16 = view.itemsize == 2 && f == 'e';
    const int bf16 = view.itemsize == 2 && f == 'H';
    Py_BEGIN_ALLOW_THREADS
    if (is_uniform && f == 'f')
        st = initfill_capi_uniform_f32(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_uniform && f == 'd')
        st = initfill_capi_uniform_f64(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_normal && f == 'f')
        st = initfill_capi_normal_f32(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_normal && f == 'd')
        st = initfill_capi_normal_f64(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_trunc && f == 'f')
        st = initfill_capi_trunc_normal_f32(buf, n, first, seed, stream, p[0], p[1], p[2],
                                            p[3], nthreads);
    else if (is_trunc && f == 'd')
        st = initfill_capi_trunc_normal_f64(buf, n, first, seed, stream, p[0], p[1], p[2],
                                            p[3], nthreads);
    else if (is_uniform && f16)
        st = initfill_capi_uniform_f16(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_uniform && bf16)
        st = initfill_capi_uniform_bf16(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_normal && f16)
        st = initfill_capi_normal_f16(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_normal && bf16)
        st = initfill_capi_normal_bf16(buf, n, first, seed, stream, p[0], p[1], nthreads);
    else if (is_trunc && f16)
        st = initfill_capi_trunc_normal_f16(buf, n, first, seed, stream, p[0], p[1], p[2],
                                            p[3], nthreads);
    else if (is_trunc && bf16)
        st = initfill_capi_trunc_normal_bf16(buf, n, first, seed, stream, p[0], p[1], p[2],
                                             p[3], nthreads);
    else if (!is_uniform && !is_normal && !is_trunc && u32)
        st = initfill_capi_bits_u32(buf, n, first, seed, stream, nthreads);
    else if (!is_uniform && !is_normal && !is_trunc && u64)
        st = initfill_capi_bits_u64(buf, n, first, seed, stream, nthreads);
    Py_END_ALLOW_THREADS
    if (st == -1)
        PyErr_Format(PyExc_TypeError, "unsupported buffer format '%s' for %s", view.format,
                     dist);
    PyBuffer_Release(&view);
    if (st == -1) return NULL;
    if (st != INITFILL_OK) {
        PyErr_SetString(PyExc_ValueError, initfill_capi_status_string(st));
        return NULL;
    }
    Py_RETURN_NONE;
}

/* algorithm_version() -> the ALGORITHM_VERSION of the installed initfill. */
static PyObject *algorithm_version(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(initfill_capi_algorithm_version());
}

static PyMethodDef methods[] = {
    {"fill", (PyCFunction)(void (*)(void))fill, METH_VARARGS | METH_KEYWORDS,
     "fill(dist, out, first, seed, stream, params=(), nthreads=1)"},
    {"algorithm_version", algorithm_version, METH_NOARGS,
     "ALGORITHM_VERSION of the installed initfill."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "fillext", "initfill's kernels from a C extension.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_fillext(void) {
    /* Fetch and check the table; ImportError on a missing or mismatched initfill. */
    if (initfill_import_capi() < 0) return NULL;
    return PyModule_Create(&module);
}
