"""How initfill and each peer (NumPy, SciPy, PyTorch, JAX) performs each operation of
``initfill bench``, and the :class:`~.cases.Case` list of each operation and dtype.

Each ``_<implementation>(op, dtype)`` returns ``make(ws, n)``, which returns the timed
call on ``n`` elements of the :class:`~.cases.Workspace`.
"""
from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

import initfill

from .cases import BITS_DTYPE, DTYPES, INITIALIZERS, Case, Timed, Workspace

__all__ = ["fill_cases", "fresh_cases", "init_shape", "jax_has_x64", "reference_cases"]

_SEED = 12345

Make = Callable[[Workspace, int], Timed]


def init_shape(n: int) -> tuple[int, int]:
    """The 2-D ``(fan_out, fan_in)`` shape of ``n`` elements for the initializers:
    ``fan_in`` the largest divisor of ``n`` not above ``sqrt(n)``."""
    d = math.isqrt(n)
    while d > 1 and n % d:
        d -= 1
    return n // max(d, 1), max(d, 1)


def _std_bound(op: str, shape: tuple[int, int]) -> tuple[float, float]:
    """(std, uniform bound) of an initializer for ``shape`` (torch layout)."""
    fan_in, fan_out = initfill.compute_fans(shape)
    if op.startswith("xavier"):
        std = math.sqrt(2.0 / (fan_in + fan_out))
    elif op.startswith("kaiming"):
        std = math.sqrt(2.0) / math.sqrt(fan_in)     # default: leaky_relu(0) gain sqrt(2)
    else:                                             # lecun_normal: truncated, Keras' s
        std = math.sqrt(1.0 / fan_in) / initfill.TRUNC_STD_CORRECTION
    return std, math.sqrt(3.0) * std


def _shape_for(op: str, n: int) -> tuple[int, ...] | None:
    return init_shape(n) if op in INITIALIZERS else None


def _kw(dtype: str) -> dict[str, Any]:
    return {"dtype": "bfloat16"} if dtype == "bfloat16" else {}


# --- initfill --------------------------------------------------------------------------

_IF_CALLS = {"uniform": "Generator.uniform_", "normal": "Generator.normal_",
             "trunc_normal": "Generator.trunc_normal_(-2, 2)", "bits": "Generator.bits_",
             "xavier_uniform": "xavier_uniform_", "xavier_normal": "xavier_normal_",
             "kaiming_uniform": "kaiming_uniform_", "kaiming_normal": "kaiming_normal_",
             "lecun_normal": "lecun_normal_"}


def _initfill(op: str, dtype: str) -> Make:
    def make(ws: Workspace, n: int) -> Timed:
        x = ws.array(dtype, n, _shape_for(op, n))
        g = initfill.Generator(_SEED)
        kw = _kw(dtype)
        if op == "uniform":
            return lambda: g.uniform_(x, **kw)
        if op == "normal":
            return lambda: g.normal_(x, **kw)
        if op == "trunc_normal":
            return lambda: g.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0, **kw)
        if op == "bits":
            return lambda: g.bits_(x)
        fn = getattr(initfill, op + "_")
        return lambda: fn(x, generator=g, **kw)
    return make


# --- NumPy and SciPy -------------------------------------------------------------------

def _numpy(op: str, dtype: str) -> tuple[str, Make, str]:
    """(call, make, note) of NumPy's way to do ``op`` (float32/float64 only)."""
    uniform = op in ("uniform", "xavier_uniform", "kaiming_uniform")
    if op == "bits":
        call, note = "bit_generator.random_raw", "allocates its result"
    elif uniform:
        call, note = "Generator.random(out=)", ""
    else:
        call, note = "Generator.standard_normal(out=)", ""
    if op in INITIALIZERS:
        call += ", x*=2b, x-=b" if uniform else ", x*=std"

    def make(ws: Workspace, n: int) -> Timed:
        x = ws.array(dtype, n, _shape_for(op, n))
        rng = np.random.Generator(np.random.PCG64(_SEED))
        if op == "bits":
            bg, words = rng.bit_generator, x.nbytes // 8
            return lambda: bg.random_raw(words).view(x.dtype)
        if op in ("uniform", "normal"):
            draw = rng.random if uniform else rng.standard_normal
            return lambda: draw(out=x, dtype=x.dtype)
        std, bound = _std_bound(op, x.shape)
        if uniform:
            def run() -> None:
                rng.random(out=x, dtype=x.dtype)
                np.multiply(x, 2 * bound, out=x)
                np.subtract(x, bound, out=x)
        else:
            def run() -> None:
                rng.standard_normal(out=x, dtype=x.dtype)
                np.multiply(x, std, out=x)
        return run
    return call, make, note


def _ndtri(op: str, dtype: str) -> Make:
    """NumPy uniform + ``scipy.special.ndtri``: initfill's truncated-normal algorithm
    written with vectorised NumPy, in place."""
    def make(ws: Workspace, n: int) -> Timed:
        from scipy.special import ndtr, ndtri

        x = ws.array(dtype, n, _shape_for(op, n))
        rng = np.random.Generator(np.random.PCG64(_SEED))
        pa, pb = float(ndtr(-2.0)), float(ndtr(2.0))
        scale = _std_bound(op, x.shape)[0] if op == "lecun_normal" else 1.0

        def run() -> None:
            rng.random(out=x, dtype=x.dtype)
            np.multiply(x, pb - pa, out=x)
            np.add(x, pa, out=x)
            ndtri(x, out=x)
            if scale != 1.0:
                np.multiply(x, scale, out=x)
        return run
    return make


def _truncnorm(dtype: str) -> Make:
    def make(ws: Workspace, n: int) -> Timed:
        from scipy.stats import truncnorm

        x = ws.array(dtype, n)
        rng = np.random.Generator(np.random.PCG64(_SEED))

        def run() -> None:
            x[...] = truncnorm.rvs(-2.0, 2.0, size=n, random_state=rng)
        return run
    return make


# --- PyTorch ---------------------------------------------------------------------------

_TORCH_CALLS = {"uniform": "Tensor.uniform_", "normal": "Tensor.normal_",
                "trunc_normal": "nn.init.trunc_normal_(-2, 2)",
                "xavier_uniform": "nn.init.xavier_uniform_",
                "xavier_normal": "nn.init.xavier_normal_",
                "kaiming_uniform": "nn.init.kaiming_uniform_",
                "kaiming_normal": "nn.init.kaiming_normal_",
                "lecun_normal": "nn.init.trunc_normal_(std, +-2std)"}


def _torch(op: str, dtype: str) -> Make:
    def make(ws: Workspace, n: int) -> Timed:
        import torch

        t = ws.tensor(dtype, n, _shape_for(op, n))
        torch.manual_seed(_SEED)
        init = torch.nn.init
        if op == "uniform":
            return t.uniform_
        if op == "normal":
            return t.normal_
        if op == "trunc_normal":
            return lambda: init.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0)
        if op == "lecun_normal":
            std = _std_bound(op, tuple(t.shape))[0]
            return lambda: init.trunc_normal_(t, 0.0, std, -2 * std, 2 * std)
        fn = getattr(init, op + "_")
        return lambda: fn(t)
    return make


# --- JAX -------------------------------------------------------------------------------

# variance_scaling(scale, mode, distribution) equal to each initializer (torch defaults)
_JAX_VS = {"xavier_uniform": (1.0, "fan_avg", "uniform"),
           "xavier_normal": (1.0, "fan_avg", "normal"),
           "kaiming_uniform": (2.0, "fan_in", "uniform"),
           "kaiming_normal": (2.0, "fan_in", "normal"),
           "lecun_normal": (1.0, "fan_in", "truncated_normal")}
_JAX_CALLS = {"uniform": "random.uniform", "normal": "random.normal",
              "trunc_normal": "random.truncated_normal(-2, 2)", "bits": "random.bits",
              **{op: f"nn.initializers.variance_scaling{v[:3]}" for op, v in _JAX_VS.items()}}


def jax_has_x64() -> bool:
    """Whether JAX (imported here) has 64-bit types enabled (``jax_enable_x64``)."""
    jax = importlib.import_module("jax")
    try:
        return bool(jax.config.read("jax_enable_x64"))
    except Exception:  # noqa: BLE001 -- old or fake configs
        return bool(getattr(jax.config, "jax_enable_x64", False))


def _jax(op: str, dtype: str) -> Make:
    def make(ws: Workspace, n: int) -> Timed:
        jax = importlib.import_module("jax")
        jnp = importlib.import_module("jax.numpy")
        dt = getattr(jnp, dtype)
        shape = _shape_for(op, n) or (n,)
        key = jax.random.PRNGKey(_SEED)
        r = jax.random
        if op == "uniform":
            f = lambda k: r.uniform(k, shape, dt)
        elif op == "normal":
            f = lambda k: r.normal(k, shape, dt)
        elif op == "trunc_normal":
            f = lambda k: r.truncated_normal(k, -2.0, 2.0, shape, dt)
        elif op == "bits":
            f = lambda k: r.bits(k, shape, dt)
        else:
            scale, mode, dist = _JAX_VS[op]
            init = importlib.import_module("jax.nn.initializers").variance_scaling(
                scale, mode, dist, in_axis=-1, out_axis=-2)     # torch layout (out, in)
            f = lambda k: init(k, shape, dt)
        jf = jax.jit(f)
        return lambda: jf(key).block_until_ready()
    return make


# --- the catalogue ---------------------------------------------------------------------

def _op_dtype(op: str, dtype: str) -> str | None:
    """The dtype ``op`` writes for a requested float ``dtype`` (None: not measured)."""
    if op == "bits":
        return BITS_DTYPE.get(dtype)
    return dtype


def fill_cases(op: str, dtype: str, threads: tuple[int, ...],
               peers: dict[str, str | None], jax_x64: bool | None = None) -> list[Case]:
    """The measurements of ``op`` on ``dtype``: initfill at every thread count, then
    each installed peer (NumPy and SciPy on one thread, torch at every thread count,
    JAX once, on XLA's own threads, filed under the largest thread count).

    Parameters
    ----------
    op, dtype : str
        From :data:`OPS` (not "fresh") and :data:`DTYPES`.
    threads : tuple of int
        Thread counts, ascending.
    peers : dict
        Library versions, None where absent (:func:`.machine.peer_versions`).
    jax_x64 : bool, optional
        Whether JAX has 64-bit types enabled (looked up when JAX is present).

    Returns
    -------
    list of Case
    """
    odt = _op_dtype(op, dtype)
    if odt is None:
        return []
    out = [Case("fill", op, odt, t, "initfill", _IF_CALLS[op], _initfill(op, odt))
           for t in threads]
    if dtype in ("float32", "float64"):
        if op not in ("trunc_normal", "lecun_normal"):
            call, make, note = _numpy(op, odt)
            out.append(Case("fill", op, odt, 1, "numpy", call, make, note))
        elif peers.get("scipy"):
            call = "random(out=) + special.ndtri"
            if op == "lecun_normal":
                call += ", x*=std"
            out.append(Case("fill", op, odt, 1, "numpy+scipy", call, _ndtri(op, odt)))
            if op == "trunc_normal":
                out.append(Case("fill", op, odt, 1, "scipy", "stats.truncnorm.rvs(-2, 2)",
                                _truncnorm(odt), "allocates its result (float64)"))
    if peers.get("torch") and op != "bits":
        out += [Case("fill", op, odt, t, "torch", _TORCH_CALLS[op], _torch(op, odt),
                     f"torch.set_num_threads({t})") for t in threads]
    if peers.get("jax"):
        if jax_x64 is None:
            jax_x64 = jax_has_x64()
        if jax_x64 or odt not in ("float64", "uint64"):
            out.append(Case("fill", op, odt, max(threads), "jax", _JAX_CALLS[op],
                            _jax(op, odt), "jit; allocates its result; XLA's own threads"))
    return out


def reference_cases(dtype: str, threads: tuple[int, ...]) -> list[Case]:
    """``ndarray.fill`` on the shared buffer, at every thread count (more than one
    thread: one slice per Python thread, NumPy releases the GIL while it stores;
    inline below 2**15 elements per thread, as initfill)."""
    def make_for(t: int) -> Make:
        def make(ws: Workspace, n: int) -> Timed:
            x = ws.array(dtype, n)
            if t == 1 or n < t << 15:
                return lambda: x.fill(1)
            pool = ws.pool(t)
            step = -(-n // t)
            parts = [x[i:i + step] for i in range(0, n, step)]

            def run() -> None:
                for f in [pool.submit(p.fill, 1) for p in parts]:
                    f.result()
            return run
        return make
    return [Case("reference", "store", dtype, t, "numpy",
                 "ndarray.fill" if t == 1 else "ndarray.fill, a slice per thread",
                 make_for(t), "store bandwidth") for t in threads]


def fresh_cases(dtype: str, threads: tuple[int, ...]) -> list[Case]:
    """A never-touched ``np.empty`` buffer filled by initfill's ``normal_`` on all
    threads, next to ``np.ones`` of the same size (allocation + first touch)."""
    storage = DTYPES[dtype]
    kw = _kw(dtype)

    def make_if(ws: Workspace, n: int) -> Timed:
        g = initfill.Generator(_SEED)
        return lambda: g.normal_(np.empty(n, storage), **kw)

    def make_ones(ws: Workspace, n: int) -> Timed:
        return lambda: np.ones(n, storage)

    t = max(threads)
    return [Case("fresh", "fresh", dtype, t, "initfill", "normal_(np.empty(n))", make_if,
                 "allocation + first touch + fill"),
            Case("fresh", "fresh", dtype, 1, "numpy", "np.ones(n)", make_ones,
                 "allocation + first touch")]
