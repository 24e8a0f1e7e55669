"""Embedding initfill: the C API, the capsule, ``cimport initfill``, Numba, and the
standalone C library.

The examples of ``examples/`` are built in temporary folders with the machine's
compiler and must give exactly the values of the Python API for the same seed,
stream and global index range.  Builds use ``-O0`` where the optimisation level
cannot change a value (the example modules only call through the table), to keep the
suite fast; the standalone library is built with its own flags.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import initfill
from initfill import ctypes_api

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CSRC = ROOT / "csrc"
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")

SEED = 0x9E3779B97F4A7C15
STREAMS = (0, 11, initfill.stream_id("encoder.layers.3.mlp.weight"))
# Window starts: block-aligned, mid-block, and past 2**32 and 2**40.
FIRSTS = (0, 3, 1001, 2**32 + 1, 2**40 + 7)

# (dist, dtype, params, ctypes function, C pointer type)
CASES = [
    ("uniform", np.float32, (-0.5, 1.5)),
    ("uniform", np.float64, (-0.5, 1.5)),
    ("normal", np.float32, (0.25, 0.02)),
    ("normal", np.float64, (0.25, 0.02)),
    ("trunc_normal", np.float32, (0.0, 1.0, -2.0, 2.0)),
    ("trunc_normal", np.float64, (0.0, 1.0, -2.0, 2.0)),
    ("trunc_normal", np.float64, (1.0, 0.5, 20.0, np.inf)),
    ("bits", np.uint32, ()),
    ("bits", np.uint64, ()),
]
CASE_IDS = [f"{d}-{np.dtype(t).name}-{i}" for i, (d, t, _) in enumerate(CASES)]
# Half precision: (dist, kind, params); kind "f16" fills float16 arrays, "bf16" raw
# uint16 words that the Python API fills with dtype="bfloat16".
HALF_CASES = [
    (dist, kind, params)
    for dist, params in (("uniform", (-0.5, 1.5)), ("normal", (0.25, 0.02)),
                         ("trunc_normal", (0.0, 1.0, -2.0, 2.0)),
                         ("trunc_normal", (0.0, 0.02, -0.04, 0.04)),
                         ("trunc_normal", (1.0, 0.5, 20.0, np.inf)))
    for kind in ("f16", "bf16")
]
HALF_IDS = [f"{d}-{k}-{i}" for i, (d, k, _) in enumerate(HALF_CASES)]
HALF_FNS = [f"{d}_{k}" for d in ("uniform", "normal", "trunc_normal")
            for k in ("f16", "bf16")]
SUFFIX = {np.float32: "f32", np.float64: "f64", np.uint32: "u32", np.uint64: "u64"}
CTYPE = {np.float32: ctypes.c_float, np.float64: ctypes.c_double,
         np.uint32: ctypes.c_uint32, np.uint64: ctypes.c_uint64}


def reference(dist, dtype, params, stream, first, n, seed=SEED):
    """Values of global elements first .. first+n-1 from the Python API."""
    g = initfill.Generator(seed)
    fill = {"uniform": g.uniform_, "normal": g.normal_,
            "trunc_normal": g.trunc_normal_, "bits": g.bits_}[dist]
    return fill(np.empty(n, dtype), *params, stream=stream, global_shape=(first + n,),
                offset=(first,))


def reference_half(dist, kind, params, stream, first, n, seed=SEED):
    """The Python API's half values of elements first .. first+n-1, as uint16 bits."""
    g = initfill.Generator(seed)
    fill = {"uniform": g.uniform_, "normal": g.normal_,
            "trunc_normal": g.trunc_normal_}[dist]
    if kind == "f16":
        out = fill(np.empty(n, np.float16), *params, stream=stream,
                   global_shape=(first + n,), offset=(first,))
        return out.view(np.uint16)
    return fill(np.empty(n, np.uint16), *params, stream=stream, global_shape=(first + n,),
                offset=(first,), dtype="bfloat16")


def half_buffer(kind, n):
    """An output for `kind`: float16 for "f16", uint16 words (bfloat16 bits) for "bf16"."""
    return np.empty(n, np.float16 if kind == "f16" else np.uint16)


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def run(cmd, cwd, env=None, timeout=300):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n"
                    f"{r.stdout}\n{r.stderr}")
    return r


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_example(example, name, tmp_path_factory):
    """Copy examples/<example> to a temporary folder, build it in place, import it."""
    pytest.importorskip("setuptools", reason="building the examples needs setuptools")
    work = tmp_path_factory.mktemp(example)
    shutil.copytree(EXAMPLES / example, work, dirs_exist_ok=True)
    env = dict(os.environ, CFLAGS="-O0")
    run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], work, env)
    return load_module(name, work / f"{name}{EXT_SUFFIX}"), work


# --- Headers, package data, capsule -----------------------------------------------


def test_get_include_holds_the_public_headers():
    inc = Path(initfill.get_include())
    assert (inc / "initfill" / "initfill.h").is_file()
    assert (inc / "initfill" / "initfill_capi.h").is_file()
    text = (inc / "initfill" / "initfill.h").read_text()
    assert 'extern "C"' in text
    assert f"#define INITFILL_ALGORITHM_VERSION {initfill.ALGORITHM_VERSION}" in text
    assert f"#define INITFILL_ABI_VERSION {initfill.ABI_VERSION}" in text


def test_pxd_is_shipped_with_the_package():
    pxd = Path(initfill.__file__).with_name("__init__.pxd")
    assert pxd.is_file()
    assert "nogil" in pxd.read_text()


def _c_macro(header, name):
    """The body of the (possibly continued) #define `name` of a C header."""
    m = re.search(rf"^#define {name}(?!\w)(.*?)(?<!\\)$", header, re.M | re.S)
    assert m, f"no #define {name}"
    return re.sub(r"/\*.*?\*/", " ", m.group(1).replace("\\\n", " "), flags=re.S)


def _types(params):
    """The parameter types of a C or Cython parameter list, without the names."""
    return [re.sub(r"\s+", "", re.sub(r"\w+\s*$", "", p)) for p in params.split(",")
            if p.strip()]


def test_pxd_declares_the_c_list_of_entry_points():
    """__init__.pxd (Cython cannot read X-macros) matches INITFILL_CAPI_ENTRIES and
    INITFILL_STATUS_CODES: every entry point with its types, every status code."""
    header = (CSRC / "include" / "initfill" / "initfill.h").read_text()
    pxd = (ROOT / "src" / "initfill" / "__init__.pxd").read_text()
    declared = {
        c_name: (re.sub(r"\s+", "", ret), _types(params))
        for ret, c_name, params in re.findall(
            r'^\s*([\w ]+?\s*\*?)\s*\w+ "initfill_capi_(\w+)"\(([^)]*)\)', pxd, re.M)
    }
    entries = re.findall(r"X\((\w+),\s*([\w *]+?),\s*(\w+),\s*(\w+),",
                         _c_macro(header, "INITFILL_CAPI_ENTRIES"))
    assert [e[0] for e in entries] == [e[0] for e in initfill._core.capi_entries()]
    for name, ret, kind, out_type in entries:
        params = _c_macro(header, rf"INITFILL_PARAMS_{kind}\(T\)").strip()
        expected = _types(re.sub(r"\bT\b", out_type, params.strip()[1:-1]))
        assert declared.get(name) == (re.sub(r"\s+", "", ret), expected), name
    codes = re.findall(r"X\((\w+),", _c_macro(header, "INITFILL_STATUS_CODES"))
    assert re.findall(r'^\s*(\w+) "INITFILL_((?:OK|ERR_)\w*)"', pxd, re.M) == [
        (code, code) for code in codes]


def test_capsule_table_header():
    cap = initfill._C_API
    assert type(cap).__name__ == "PyCapsule"
    # A private prototype: leaves ctypes.pythonapi's shared attributes alone.
    get = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
        ("PyCapsule_GetPointer", ctypes.pythonapi))
    ptr = get(cap, b"initfill._C_API")
    abi, size, algo = (ctypes.c_uint32 * 3).from_address(ptr)
    assert (abi, size, algo) == initfill._core.capi_header()
    assert abi == initfill.ABI_VERSION == 1
    assert algo == initfill.ALGORITHM_VERSION
    # 4 header words and 16 pointers: the 10 of the first release, then the 6 half
    # fills appended to it (ABI version unchanged).
    psize = ctypes.sizeof(ctypes.c_void_p)
    assert size == 16 + 16 * psize
    order = ["uniform_f32", "uniform_f64", "normal_f32", "normal_f64", "trunc_normal_f32",
             "trunc_normal_f64", "bits_u32", "bits_u64", "fill_nd", "status_string",
             *HALF_FNS]
    addresses = ctypes_api.addresses()
    assert sorted(addresses) == sorted(order)
    for k, name in enumerate(order):
        assert ctypes.c_void_p.from_address(ptr + 16 + k * psize).value == addresses[name]
    assert len(set(addresses.values())) == len(order)


# --- ctypes ------------------------------------------------------------------------


@pytest.mark.parametrize(("dist", "dtype", "params"), CASES, ids=CASE_IDS)
def test_ctypes_api_matches_python(dist, dtype, params):
    fn = getattr(ctypes_api, f"{dist}_{SUFFIX[dtype]}")
    ptr_t = ctypes.POINTER(CTYPE[dtype])
    for stream in STREAMS:
        for first in FIRSTS:
            n = 37
            out = np.empty(n, dtype)
            st = fn(out.ctypes.data_as(ptr_t), n, first, SEED, stream, *params, 1)
            assert st == 0, ctypes_api.status_string(st)
            assert same_bits(out, reference(dist, dtype, params, stream, first, n))


@pytest.mark.parametrize(("dist", "kind", "params"), HALF_CASES, ids=HALF_IDS)
def test_ctypes_api_half_matches_python(dist, kind, params):
    fn = getattr(ctypes_api, f"{dist}_{kind}")
    ptr_t = ctypes.POINTER(ctypes.c_uint16)
    for stream in STREAMS:
        for first in FIRSTS:
            n = 37
            out = half_buffer(kind, n)
            st = fn(out.view(np.uint16).ctypes.data_as(ptr_t), n, first, SEED, stream,
                    *params, 1)
            assert st == 0, ctypes_api.status_string(st)
            assert same_bits(out.view(np.uint16),
                             reference_half(dist, kind, params, stream, first, n))


def test_ctypes_api_half_threads_and_errors():
    n = 300_000
    p = ctypes.POINTER(ctypes.c_uint16)
    for kind in ("f16", "bf16"):
        a, b = np.empty(n, np.uint16), np.empty(n, np.uint16)
        fn = getattr(ctypes_api, f"trunc_normal_{kind}")
        assert fn(a.ctypes.data_as(p), n, 5, SEED, 2, 0.0, 0.02, -0.04, 0.04, 1) == 0
        assert fn(b.ctypes.data_as(p), n, 5, SEED, 2, 0.0, 0.02, -0.04, 0.04, 7) == 0
        assert same_bits(a, b)
        assert same_bits(a, reference_half("trunc_normal", kind, (0.0, 0.02, -0.04, 0.04),
                                           2, 5, n))
    out = np.full(8, 0x1234, np.uint16)
    q = out.ctypes.data_as(p)
    # Parameters that overflow float16 are refused (bfloat16 holds them).
    assert ctypes_api.normal_f16(q, 8, 0, 1, 2, 1e6, 1.0, 1) == 4  # ERR_PARAM
    assert ctypes_api.uniform_f16(q, 8, 0, 1, 2, -7e4, 0.0, 1) == 4
    assert ctypes_api.uniform_bf16(q, 8, 0, 1, 2, 1.0, 0.0, 1) == 4
    assert ctypes_api.normal_bf16(q, 8, 0, 1, 2, 0.0, -1.0, 1) == 4
    # No float16 value in [0.5001, 0.5002].
    assert ctypes_api.trunc_normal_f16(q, 8, 0, 1, 2, 0.5, 1.0, 0.5001, 0.5002, 1) == 4
    assert ctypes_api.trunc_normal_bf16(q, 8, 0, 1, 2, 0.0, 1.0, 2.0, -2.0, 1) == 4
    assert ctypes_api.normal_bf16(q, 8, 0, 1, 2, 0.0, 1.0, 0) == 7  # ERR_THREADS
    assert ctypes_api.normal_f16(None, 8, 0, 1, 2, 0.0, 1.0, 1) == 1  # ERR_NULL
    # A misaligned (odd) address.
    raw = np.zeros(20, np.uint8)
    odd = ctypes.cast(raw.ctypes.data + (1 - raw.ctypes.data % 2), p)
    assert ctypes_api.normal_f16(odd, 8, 0, 1, 2, 0.0, 1.0, 1) == 6  # ERR_ALIGN
    assert (out == 0x1234).all() and (raw == 0).all()
    assert ctypes_api.normal_bf16(None, 0, 0, 1, 2, 0.0, 1.0, 1) == 0
    assert ctypes_api.normal_bf16(q, 8, 0, 1, 2, 1e6, 1.0, 1) == 0
    assert same_bits(out, reference_half("normal", "bf16", (1e6, 1.0), 2, 0, 8, seed=1))


def test_ctypes_api_threads_do_not_change_values():
    n = 300_000
    a, b = np.empty(n, np.float32), np.empty(n, np.float32)
    p = ctypes.POINTER(ctypes.c_float)
    assert ctypes_api.normal_f32(a.ctypes.data_as(p), n, 5, SEED, 2, 0.0, 1.0, 1) == 0
    assert ctypes_api.normal_f32(b.ctypes.data_as(p), n, 5, SEED, 2, 0.0, 1.0, 7) == 0
    assert same_bits(a, b)
    assert same_bits(a, reference("normal", np.float32, (0.0, 1.0), 2, 5, n))


def test_ctypes_api_errors_write_nothing():
    out = np.full(8, 7.0, np.float32)
    p = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    assert ctypes_api.normal_f32(p, 8, 0, 1, 2, 0.0, -1.0, 1) == 4  # ERR_PARAM
    assert ctypes_api.uniform_f32(p, 8, 0, 1, 2, 1.0, 0.0, 1) == 4
    assert ctypes_api.trunc_normal_f32(p, 8, 0, 1, 2, 0.0, 1.0, 2.0, -2.0, 1) == 4
    assert ctypes_api.normal_f32(p, 8, 0, 1, 2, 0.0, 1.0, 0) == 7  # ERR_THREADS
    assert ctypes_api.normal_f32(p, 8, 2**64 - 4, 1, 2, 0.0, 1.0, 1) == 5  # ERR_SHAPE
    assert ctypes_api.normal_f32(None, 8, 0, 1, 2, 0.0, 1.0, 1) == 1  # ERR_NULL
    assert ctypes_api.normal_f32(None, 0, 0, 1, 2, 0.0, 1.0, 1) == 0
    assert (out == 7.0).all()
    assert ctypes_api.status_string(0) == "success"
    assert "thread" in ctypes_api.status_string(7)
    assert "not imported" in ctypes_api.status_string(32)  # INITFILL_ERR_CAPI


def test_ctypes_api_fill_nd_block_matches_python():
    """fill_nd (the pointer of every entry comes from the C list) on a transposed view."""
    whole = initfill.Generator(SEED).normal_(np.empty((40, 24)), 0.5, 2.0, stream=9)
    block = np.full((10, 16), 7.0).T  # a Fortran-order 16 x 10 view
    i64 = ctypes.c_int64 * 2
    shape, strides, gstrides = i64(*block.shape), i64(*block.strides), i64(24, 1)
    params = (ctypes.c_double * 2)(0.5, 2.0)
    args = (ctypes.c_int(1), ctypes.c_int(1), params, 2, SEED, 9,
            block.ctypes.data_as(ctypes.c_void_p), 2, shape, strides, gstrides)
    assert ctypes_api.fill_nd(*args, 12 * 24 + 5, 2) == 0  # NORMAL, FLOAT64
    assert same_bits(np.ascontiguousarray(block), whole[12:28, 5:15].copy())
    before = block.copy()
    assert ctypes_api.fill_nd(ctypes.c_int(1), ctypes.c_int(2), *args[2:], 0, 1) == 2
    assert same_bits(block, before)  # ERR_DTYPE: normal into uint32, nothing written


# --- C extension through the capsule ----------------------------------------------


@pytest.fixture(scope="module")
def fillext(tmp_path_factory):
    return build_example("c_extension", "fillext", tmp_path_factory)


@pytest.mark.parametrize(("dist", "dtype", "params"), CASES, ids=CASE_IDS)
def test_c_extension_matches_python(fillext, dist, dtype, params):
    mod, _ = fillext
    for stream in STREAMS:
        for first in FIRSTS:
            out = np.empty(29, dtype)
            mod.fill(dist, out, first, SEED, stream, params, 2)
            assert same_bits(out, reference(dist, dtype, params, stream, first, 29))


@pytest.mark.parametrize(("dist", "kind", "params"), HALF_CASES, ids=HALF_IDS)
def test_c_extension_half_matches_python(fillext, dist, kind, params):
    mod, _ = fillext
    for stream in STREAMS:
        for first in FIRSTS:
            out = half_buffer(kind, 29)  # float16, or uint16 words for bfloat16 bits
            mod.fill(dist, out, first, SEED, stream, params, 2)
            assert same_bits(out.view(np.uint16),
                             reference_half(dist, kind, params, stream, first, 29))


def test_c_extension_large_threaded_fill(fillext):
    mod, _ = fillext
    out = np.empty(1 << 19, np.float32)
    mod.fill("trunc_normal", out, 123, SEED, 5, (0.0, 0.02, -0.04, 0.04), 4)
    assert same_bits(out, reference("trunc_normal", np.float32, (0.0, 0.02, -0.04, 0.04),
                                    5, 123, out.size))


def test_c_extension_reports_errors(fillext):
    mod, _ = fillext
    out = np.full(4, 3.0)
    with pytest.raises(ValueError, match="not finite|inconsistent"):
        mod.fill("normal", out, 0, 1, 2, (0.0, -1.0))
    with pytest.raises(TypeError, match="unsupported"):
        mod.fill("bits", out, 0, 1, 2, ())
    assert (out == 3.0).all()
    assert mod.algorithm_version() == initfill.ALGORITHM_VERSION


IMPORT_CHECK = r"""
import ctypes, sys
import initfill
sys.path.insert(0, sys.argv[1])
api = ctypes.pythonapi
api.PyCapsule_GetPointer.restype = ctypes.c_void_p
api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
api.PyCapsule_New.restype = ctypes.py_object
api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
NAME = ctypes.create_string_buffer(b"initfill._C_API")
real = initfill._C_API
ptr = api.PyCapsule_GetPointer(real, b"initfill._C_API")
size = ctypes.c_uint32.from_address(ptr + 4).value
keep = []

def fake(offset, value):
    table = ctypes.create_string_buffer(ctypes.string_at(ptr, size), size)
    ctypes.c_uint32.from_buffer(table, offset).value = value
    keep.append(table)
    return api.PyCapsule_New(ctypes.addressof(table), ctypes.addressof(NAME), None)

def attempt(label):
    try:
        import fillext
    except ImportError as e:
        print(label, "ImportError:", e)
    else:
        print(label, "imported")

initfill._C_API = fake(0, 99)          # another ABI version
attempt("abi")
initfill._C_API = fake(4, 8)           # a table shorter than the header's struct
attempt("size")
initfill._C_API = fake(4, size - 6 * ctypes.sizeof(ctypes.c_void_p))
attempt("old")                         # the first release's table: no half fills
del initfill._C_API                    # an initfill without the capsule
attempt("missing")
initfill._C_API = real
attempt("real")
"""


def test_c_extension_import_checks_abi_and_size(fillext):
    _, work = fillext
    r = run([sys.executable, "-c", IMPORT_CHECK, str(work)], work, timeout=60)
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    assert "ABI version 99" in lines["abi"] and "ImportError" in lines["abi"]
    assert "8 bytes" in lines["size"] and "upgrade initfill" in lines["size"]
    old_size = 16 + 10 * ctypes.sizeof(ctypes.c_void_p)
    assert f"{old_size} bytes" in lines["old"] and "upgrade initfill" in lines["old"]
    assert "ImportError" in lines["missing"] and "_C_API" in lines["missing"]
    assert lines["real"] == "imported"


@pytest.mark.skipif(shutil.which("c++") is None and shutil.which("g++") is None,
                    reason="no C++ compiler")
def test_capi_header_compiles_as_cxx(tmp_path):
    cxx = shutil.which("c++") or shutil.which("g++")
    src = tmp_path / "use_capi.cpp"
    src.write_text('#include "initfill/initfill_capi.h"\n'
                   "int main() { float x[4]; uint16_t h[4];\n"
                   "  if (initfill_import_capi() < 0) return 1;\n"
                   "  return initfill_capi_normal_f32(x, 4, 0, 1, 2, 0.0, 1.0, 1)\n"
                   "    | initfill_capi_uniform_f16(h, 4, 0, 1, 2, 0.0, 1.0, 1)\n"
                   "    | initfill_capi_uniform_bf16(h, 4, 0, 1, 2, 0.0, 1.0, 1)\n"
                   "    | initfill_capi_normal_f16(h, 4, 0, 1, 2, 0.0, 1.0, 1)\n"
                   "    | initfill_capi_normal_bf16(h, 4, 0, 1, 2, 0.0, 1.0, 1)\n"
                   "    | initfill_capi_trunc_normal_f16(h, 4, 0, 1, 2, 0, 1, -1, 1, 1)\n"
                   "    | initfill_capi_trunc_normal_bf16(h, 4, 0, 1, 2, 0, 1, -1, 1, 1);"
                   " }\n")
    run([cxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
         f"-I{sysconfig.get_paths()['include']}", f"-I{initfill.get_include()}",
         str(src)], tmp_path, timeout=120)


# --- Cython: cimport initfill -------------------------------------------------------


@pytest.fixture(scope="module")
def fillcy(tmp_path_factory):
    pytest.importorskip("Cython", reason="the Cython example needs Cython")
    return build_example("cython_module", "fillcy", tmp_path_factory)[0]


@pytest.mark.parametrize(("dist", "dtype", "params"), CASES, ids=CASE_IDS)
def test_cython_module_matches_python(fillcy, dist, dtype, params):
    for stream in STREAMS:
        for first in FIRSTS:
            out = np.empty(31, dtype)
            if dist == "bits":
                fillcy.bits(out, first, SEED, stream, 3)
            else:
                fillcy.fill(dist, out, first, SEED, stream, params, 3)
            assert same_bits(out, reference(dist, dtype, params, stream, first, 31))


@pytest.mark.parametrize(("dist", "kind", "params"), HALF_CASES, ids=HALF_IDS)
def test_cython_module_half_matches_python(fillcy, dist, kind, params):
    for stream in STREAMS:
        for first in FIRSTS:
            out = half_buffer(kind, 31)
            fillcy.fill_half(dist, out.view(np.uint16), first, SEED, stream, params,
                             bfloat16=kind == "bf16", nthreads=3)
            assert same_bits(out.view(np.uint16),
                             reference_half(dist, kind, params, stream, first, 31))


def test_cython_module_half_errors(fillcy):
    out = np.full(4, 9, np.uint16)
    with pytest.raises(ValueError, match="do not fit"):
        fillcy.fill_half("normal", out, 0, 1, 2, (1e6, 1.0))
    assert (out == 9).all()


def test_cython_module_fill_nd_block(fillcy):
    whole = initfill.Generator(SEED).normal_(np.empty((40, 24)), 0.5, 2.0, stream=9)
    block = np.empty((10, 16)).T  # a transposed (Fortran-order) 16 x 10 view
    fillcy.fill_2d_block(block, SEED, 9, (40, 24), (12, 5), 0.5, 2.0)
    assert same_bits(np.ascontiguousarray(block), whole[12:28, 5:15].copy())


def test_cython_module_reports_errors(fillcy):
    out = np.full(4, 3.0, np.float32)
    with pytest.raises(ValueError, match="not finite|inconsistent"):
        fillcy.fill("uniform", out, 0, 1, 2, (1.0, 0.0))
    assert (out == 3.0).all()


# --- Numba -------------------------------------------------------------------------


def test_numba_example_matches_python():
    pytest.importorskip("numba", reason="numba is optional; the Numba example is skipped")
    ex = load_module("numba_fill", EXAMPLES / "numba_fill.py")
    for first in FIRSTS:
        w = np.empty((7, 9), np.float32)
        assert ex.normal_f32(w, first, SEED, 4, 0.0, 0.02) == 0
        ref = reference("normal", np.float32, (0.0, 0.02), 4, first, 63).reshape(7, 9)
        assert same_bits(w, ref)
        t = np.empty(50)
        assert ex.trunc_normal_f64(t, first, SEED, 4, 0.0, 1.0, -1.0, 3.0, 2) == 0
        assert same_bits(t, reference("trunc_normal", np.float64, (0.0, 1.0, -1.0, 3.0),
                                      4, first, 50))
        b = np.empty(21, np.uint64)
        assert ex.bits_u64(b, first, SEED, 4) == 0
        assert same_bits(b, reference("bits", np.uint64, (), 4, first, 21))
    assert ex.normal_f32(np.empty(3, np.float32), 0, 1, 2, 0.0, -1.0) == 4


def test_numba_calls_the_half_fills():
    numba = pytest.importorskip("numba", reason="numba is optional")
    fns = {name: getattr(ctypes_api, name) for name in HALF_FNS}
    # One @njit function per entry point; the ctypes pointers are frozen as globals.
    uniform_f16, uniform_bf16 = fns["uniform_f16"], fns["uniform_bf16"]
    normal_f16, normal_bf16 = fns["normal_f16"], fns["normal_bf16"]
    trunc_f16, trunc_bf16 = fns["trunc_normal_f16"], fns["trunc_normal_bf16"]

    @numba.njit(nogil=True)
    def two(which, w, first, seed, stream, p0, p1):
        if which == 0:
            return uniform_f16(w.ctypes, w.size, first, seed, stream, p0, p1, 1)
        if which == 1:
            return uniform_bf16(w.ctypes, w.size, first, seed, stream, p0, p1, 1)
        if which == 2:
            return normal_f16(w.ctypes, w.size, first, seed, stream, p0, p1, 1)
        return normal_bf16(w.ctypes, w.size, first, seed, stream, p0, p1, 1)

    @numba.njit(nogil=True)
    def four(bf16, w, first, seed, stream, mean, std, a, b):
        if bf16:
            return trunc_bf16(w.ctypes, w.size, first, seed, stream, mean, std, a, b, 2)
        return trunc_f16(w.ctypes, w.size, first, seed, stream, mean, std, a, b, 2)

    for dist, kind, params in HALF_CASES:
        for first in FIRSTS:
            w = np.empty(23, np.uint16)
            if dist == "trunc_normal":
                st = four(kind == "bf16", w, first, SEED, 4, *params)
            else:
                which = 2 * (dist == "normal") + (kind == "bf16")
                st = two(which, w, first, SEED, 4, *params)
            assert st == 0
            assert same_bits(w, reference_half(dist, kind, params, 4, first, 23))


# --- The standalone C library ------------------------------------------------------


def _tool(name):
    return shutil.which(name)


@pytest.fixture(scope="module")
def c_build(tmp_path_factory):
    # make and a C compiler are required to build initfill at all (setup.py, CI).
    assert _tool("make") and (_tool("cc") or _tool("gcc")), "make and cc are needed"
    return tmp_path_factory.mktemp("csrc-build")


def test_standalone_library_known_answers(c_build):
    """make -C csrc test: Philox known answers, frozen values, C++ use of the header."""
    before = sorted(CSRC.rglob("*"))
    r = run(["make", "-C", str(CSRC), f"BUILD={c_build}", "-j4", "test"], ROOT)
    assert "test_kat: all passed" in r.stdout
    assert "test_cxx:" in r.stdout
    assert sorted(CSRC.rglob("*")) == before, "the build must not write into the tree"


def test_c_program_example_matches_python(c_build):
    run(["make", "-C", str(CSRC), f"BUILD={c_build}", "-j4", "lib"], ROOT)
    run(["make", "-C", str(EXAMPLES / "c_program"), f"BUILD={c_build}"], ROOT)
    first, n, stream = 2**33 + 5, 11, 6
    r = run([str(c_build / "fill_demo"), str(SEED), str(stream), str(first), str(n)],
            ROOT)
    bits = np.array([int(line.split()[2], 16) for line in r.stdout.splitlines()],
                    np.uint32)
    ref = reference("normal", np.float32, (0.0, 0.02), stream, first, n)
    assert same_bits(bits.view(np.float32), ref)
    assert "agree: yes" in r.stderr


def _source_list():
    """csrc/sources.mk read independently of the builds: NAME -> list of words."""
    values = {}
    for line in (CSRC / "sources.mk").read_text().splitlines():
        m = re.fullmatch(r"(\w+)\s*=(.*)", line.split("#", 1)[0].strip())
        if m:
            values[m.group(1)] = re.sub(r"\$\((\w+)\)", lambda r: values[r.group(1)],
                                        m.group(2)).strip()
    return {name: value.split() for name, value in values.items()}


def _levels_for(machine):
    mk = _source_list()
    if "x86_64" in machine:
        return mk["IF_X86_64_LEVELS"]
    if "aarch64" in machine or "arm64" in machine:
        return mk["IF_AARCH64_LEVELS"]
    return []


def test_every_c_source_is_in_the_source_list():
    """Every .c of csrc (its tests aside) is a portable or a SIMD source of sources.mk."""
    mk = _source_list()
    listed = mk["IF_SOURCES"] + [
        mk[f"IF_{level}_SOURCE"][0] for level in mk["IF_X86_64_LEVELS"] + mk["IF_AARCH64_LEVELS"]
    ]
    on_disk = sorted(p.relative_to(CSRC).as_posix() for p in CSRC.rglob("*.c")
                     if "tests" not in p.relative_to(CSRC).parts)
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


def test_setup_py_reads_the_source_list():
    """setup.py's sources, flags and SIMD levels are those of csrc/sources.mk."""
    import runpy
    import platform

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        setup = runpy.run_path(str(ROOT / "setup.py"), run_name="setup_under_test")
    finally:
        os.chdir(cwd)
    mk = _source_list()
    assert setup["C_SOURCES"] == [f"csrc/{name}" for name in mk["IF_SOURCES"]]
    if sys.platform != "win32":
        for flag in mk["IF_VALUE_FLAGS"] + mk["IF_WARNING_FLAGS"]:
            assert flag in setup["COMPILE_ARGS"]
        if not os.environ.get("INITFILL_NO_SIMD"):
            levels = _levels_for(platform.machine().lower().replace("amd64", "x86_64"))
            assert setup["SIMD_LEVELS"] == [
                (f"csrc/{mk[f'IF_{lv}_SOURCE'][0]}", mk[f"IF_{lv}_MACRO"][0],
                 mk[f"IF_{lv}_FLAGS"], mk[f"IF_{lv}_OPTIONAL_FLAGS"]) for lv in levels]


def test_makefile_builds_the_source_list(c_build):
    """make -C csrc compiles exactly the listed sources, with the value-critical flags."""
    run(["make", "-C", str(CSRC), f"BUILD={c_build}", "-j4", "lib"], ROOT)
    r = run(["make", "-C", str(CSRC), f"BUILD={c_build}", "-n", "-B", "lib"], ROOT)
    mk = _source_list()
    machine = subprocess.run([os.environ.get("CC", "cc"), "-dumpmachine"],
                             capture_output=True, text=True).stdout
    expected = mk["IF_SOURCES"] + [mk[f"IF_{lv}_SOURCE"][0] for lv in _levels_for(machine)]
    built = sorted(p.relative_to(c_build).with_suffix(".c").as_posix()
                   for p in c_build.rglob("*.o"))
    assert built == sorted(expected)
    compiles = [line for line in r.stdout.splitlines() if " -c " in line]
    assert len(compiles) == len(expected)
    for line in compiles:
        words = line.split()
        assert all(flag in words for flag in mk["IF_VALUE_FLAGS"]), line


@pytest.mark.skipif(shutil.which("cmake") is None or sys.platform == "win32",
                    reason="cmake is not installed (or not a Unix Makefiles platform)")
def test_cmake_reads_the_source_list(tmp_path):
    """Configuring csrc/CMakeLists.txt gives one object per listed source, and the
    value-critical flags."""
    run(["cmake", "-S", str(CSRC), "-B", str(tmp_path), "-G", "Unix Makefiles",
         "-DINITFILL_BUILD_TESTS=OFF"], ROOT)
    target = tmp_path / "CMakeFiles" / "initfill.dir"
    objects = re.findall(r"^CMakeFiles/initfill\.dir/(\S+)\.o: \S+\.c$",
                         (target / "build.make").read_text(), re.M)
    mk = _source_list()
    processor = subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout
    levels = _levels_for(processor)  # GCC or Clang on x86-64 or aarch64
    expected = mk["IF_SOURCES"] + [mk[f"IF_{lv}_SOURCE"][0] for lv in levels]
    assert sorted(objects) == sorted(expected)
    flags = (target / "flags.make").read_text()
    assert all(flag in flags.split() for flag in mk["IF_VALUE_FLAGS"])
