"""What ``initfill bench`` says about the machine it measures: CPU, cores, SIMD level."""
from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
from typing import Any

import initfill

__all__ = ["cpu_flags", "cpu_model", "format_machine", "machine_info", "peer_versions"]

#: CPU features that matter to initfill's kernels, in the order they are shown.
_INTERESTING_FLAGS = ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_bf16",
                      "asimd", "neon", "sve")


def _cpuinfo() -> dict[str, str]:
    """The first processor's ``key: value`` lines of ``/proc/cpuinfo`` (Linux), else {}."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if out:
                break
            continue
        key, _, value = line.partition(":")
        out.setdefault(key.strip(), value.strip())
    return out


def cpu_model() -> str:
    """Return the CPU's model name, as precise as the operating system tells it.

    On Linux the ``model name`` of ``/proc/cpuinfo`` plus, on x86, the family and
    model numbers (a VM often shows a bare "AMD EPYC"; family 25 model 17 is Zen 4);
    on macOS ``machdep.cpu.brand_string``; else :func:`platform.processor`.

    Returns
    -------
    str
    """
    info = _cpuinfo()
    name = info.get("model name") or info.get("Model") or info.get("Hardware")
    if name:
        if "cpu family" in info and "model" in info:
            name += f" (family {info['cpu family']}, model {info['model']})"
        return name
    if sys.platform == "darwin":
        try:
            r = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"],
                               capture_output=True, text=True, timeout=5, check=False)
            if r.stdout.strip():
                return r.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown CPU"


def cpu_flags() -> list[str]:
    """Return the CPU features among those initfill's kernels use (Linux only; else [])."""
    info = _cpuinfo()
    flags = set((info.get("flags") or info.get("Features") or "").split())
    return [f for f in _INTERESTING_FLAGS if f in flags]


def peer_versions() -> dict[str, str | None]:
    """Return the version of each peer library, None where it is not installed.

    NumPy is always there; SciPy, PyTorch and JAX are looked up without importing
    them (their import costs seconds; the benchmark imports them when it uses them).
    """
    import numpy

    out: dict[str, str | None] = {"numpy": numpy.__version__}
    for name in ("scipy", "torch", "jax"):
        out[name] = _version_of(name)
    return out


def _version_of(name: str) -> str | None:
    mod = sys.modules.get(name)
    if mod is not None:
        return str(getattr(mod, "__version__", "?"))
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except (ImportError, ValueError):
        return None
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version(name)
    except PackageNotFoundError:
        return "?"


def machine_info() -> dict[str, Any]:
    """Return what the benchmark reports about the machine.

    Returns
    -------
    dict
        ``cpu``, ``cpu_flags``, ``logical_cpus`` (``os.cpu_count()``),
        ``available_cpus`` (the CPUs this process may run on), ``simd_level`` (the
        kernel level initfill chose),
        ``initfill_threads``, ``platform``, ``python``, ``initfill`` and ``peers``
        (library versions, None where absent).
    """
    return {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "logical_cpus": os.cpu_count() or 1,
        "available_cpus": initfill.available_cpus(),
        "simd_level": str(initfill.simd_level()),
        "initfill_threads": initfill.get_num_threads(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "initfill": initfill.__version__,
        "peers": peer_versions(),
    }


def format_machine(info: dict[str, Any]) -> str:
    """Render :func:`machine_info` as the two header lines of the report."""
    flags = " ".join(info["cpu_flags"]) or "none detected"
    peers = ", ".join(f"{k} {v}" if v else f"{k} (not installed)"
                      for k, v in info["peers"].items())
    return (f"CPU: {info['cpu']}; {info['logical_cpus']} cores "
            f"({info['available_cpus']} available); SIMD: {info['simd_level']} "
            f"(CPU has: {flags})\n"
            f"initfill {info['initfill']}, Python {info['python']}, {info['platform']}; "
            f"peers: {peers}")
