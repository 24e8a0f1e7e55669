"""``initfill bench``: the command runs, reports every requested measurement, and its
JSON, plot and errors behave.  Tiny sizes, one repeat; no assertion on speed."""
from __future__ import annotations

import builtins
import importlib.util
import json
import math
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import initfill
from initfill._tools import cli
from initfill._tools.bench import cases, options, run

ROOT = Path(__file__).resolve().parents[1]
TINY = ["bench", "--size", "4096", "--repeat", "1"]
HAVE_TORCH = importlib.util.find_spec("torch") is not None
HAVE_MPL = importlib.util.find_spec("matplotlib") is not None


def _run(argv, capsys):
    rc = cli.main(TINY + argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _table_rows(out: str) -> list[list[str]]:
    """The data lines of the report's tables, split on runs of two spaces."""
    rows = []
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("  ") if p.strip()]
        if len(parts) >= 8 and parts[2].isdigit():
            rows.append(parts)
    return rows


def test_header_table_and_progress(capsys):
    rc, out, err = _run(["--only", "uniform,trunc_normal", "--dtype", "float32,bfloat16",
                         "--threads", "1,2"], capsys)
    assert rc == 0
    first = out.splitlines()[:3]
    assert first[0] == "initfill bench"
    assert first[1].startswith("CPU: ") and " cores " in first[1] and "SIMD: " in first[1]
    rows = _table_rows(out)
    seen = {(r[0], r[1], int(r[2]), r[3].split()[0]) for r in rows}
    for op in ("uniform", "trunc_normal"):
        for dt in ("float32", "bfloat16"):
            for t in (1, 2):
                assert (op, dt, t, "initfill") in seen
    assert ("uniform", "float32", 1, "numpy") in seen       # NumPy is always a peer
    assert {r[0] for r in rows} == {"uniform", "trunc_normal", "store"}   # exact names
    assert {r[4] for r in rows} == {"2^12"}                  # the size in every row
    for dt in ("float32", "bfloat16"):
        for t in (1, 2):
            assert ("store", dt, t, "numpy") in seen         # the bandwidth reference
    n = len(rows)
    assert f"[{n:>3}/{n}]" in err                              # one progress line each
    assert err.count("\n") >= n


def test_json_fields_and_consistency(tmp_path, capsys):
    path = tmp_path / "out.json"
    before = initfill.get_num_threads()
    rc, out, _ = _run(["--dtype", "float32", "--threads", "1", "--json", str(path)], capsys)
    assert rc == 0 and f"wrote {path}" in out
    assert initfill.get_num_threads() == before         # the run gave the count back
    doc = json.loads(path.read_text())
    assert doc["machine"]["cpu"]
    assert doc["machine"]["simd_level"] == initfill.simd_level()
    assert doc["machine"]["available_cpus"] == initfill.available_cpus()
    assert doc["options"]["size"] == 4096 and doc["options"]["repeat"] == 1
    assert set(doc["noise"]) == {"load_average_1min", "busy", "spread_threshold",
                                 "noisy_rows"}
    rows = doc["rows"]
    ops = {r["op"] for r in rows}
    assert set(cases.OPS) <= ops | {"store"}
    base = {(r["group"], r["op"], r["dtype"], r["threads"]): r
            for r in rows if r["impl"] == "initfill"}
    store = {r["threads"]: r for r in rows if r["group"] == "reference"}
    for r in rows:
        for key in ("op", "dtype", "threads", "impl", "ns_per_elem", "gb_per_s", "ratio",
                    "bw_fraction", "size", "repeats", "spread", "noisy"):
            assert key in r
        assert r["size"] == 4096
        assert r["ns_per_elem"] > 0 and math.isfinite(r["ns_per_elem"])
        assert r["gb_per_s"] > 0 and math.isfinite(r["gb_per_s"])
        itemsize = np.dtype(cases.DTYPES.get(r["dtype"], r["dtype"])).itemsize
        assert r["gb_per_s"] == pytest.approx(r["size"] * itemsize / r["seconds"] / 1e9)
        assert r["bw_fraction"] == pytest.approx(
            r["gb_per_s"] / store[r["threads"]]["gb_per_s"])
        if r["group"] == "fill":
            b = base[("fill", r["op"], r["dtype"], r["threads"])]
            assert r["ratio"] == pytest.approx(r["seconds"] / b["seconds"])
            if r["impl"] == "initfill":
                assert r["ratio"] == 1.0
    fresh = [r for r in rows if r["group"] == "fresh"]
    assert {r["impl"] for r in fresh} == {"initfill", "numpy"}


def test_only_filters(capsys):
    rc, out, _ = _run(["--only", "kaiming_*", "--dtype", "float64", "--threads", "1"], capsys)
    assert rc == 0
    ops = {r[0] for r in _table_rows(out)}
    assert ops == {"kaiming_uniform", "kaiming_normal", "store"}
    rc, out, _ = _run(["--only", "normal", "--dtype", "float64", "--threads", "1"], capsys)
    assert rc == 0
    assert {r[0] for r in _table_rows(out)} == {"normal", "store"}


def test_select_ops_exact_names_and_patterns():
    assert options.select_ops(["normal"]) == ("normal",)
    assert options.select_ops(["*normal"]) == ("normal", "trunc_normal", "xavier_normal",
                                              "kaiming_normal", "lecun_normal")
    assert options.select_ops(["fresh", "bits"]) == ("bits", "fresh")   # OPS order
    assert options.select_ops(["?avier_uniform", "bits"]) == ("bits", "xavier_uniform")
    assert options.select_ops(["[xk]*_uniform"]) == ("xavier_uniform", "kaiming_uniform")
    for term in ("gamma", "kaiming", "norma", "Normal"):
        with pytest.raises(ValueError, match="names no operation"):
            options.select_ops([term])


@pytest.mark.parametrize("text, n", [("16777216", 1 << 24), ("2**26", 1 << 26),
                                     ("2^10", 1024), ("64M", 64 << 20), ("4k", 4096)])
def test_parse_size(text, n):
    assert options.parse_size(text) == n


@pytest.mark.parametrize("argv", [
    ["--size", "0"], ["--size", "lots"], ["--dtype", "int8"], ["--threads", "0"],
    ["--threads", "1,x"], ["--only", "gamma"], ["--only", "kaiming"], ["--repeat", "0"],
    ["--max-seconds", "-1"], ["--noise-threshold", "0.9"], ["--noise-threshold", "x"],
    ["--model-size", "huge"], ["--frobnicate"], ["--threads", str(initfill.MAX_THREADS + 1)],
])
def test_bad_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(TINY + argv)
    assert e.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_unwritable_json_exits_1_before_measuring(tmp_path, capsys):
    bad = tmp_path / "no such dir" / "out.json"
    rc, out, err = _run(["--json", str(bad)], capsys)
    assert rc == 1
    assert "cannot write --json" in err and str(bad) in err
    assert "Fills" not in out and not bad.exists()


@pytest.mark.skipif(not HAVE_MPL, reason="matplotlib is not installed")
def test_plot_writes_png(tmp_path, capsys):
    path = tmp_path / "bench.png"
    rc, out, _ = _run(["--only", "uniform,fresh", "--dtype", "float32,float64",
                       "--plot", str(path)], capsys)
    assert rc == 0 and f"wrote {path}" in out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib(tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    path = tmp_path / "bench.png"
    rc, _, err = _run(["--only", "uniform", "--plot", str(path)], capsys)
    assert rc == 1
    assert "--plot needs matplotlib, which is not installed: pip install matplotlib" in err
    assert not path.exists()


def test_time_budget_caps_calls_never_the_size(tmp_path, capsys):
    # A row over --max-seconds makes fewer timed calls; every row keeps --size, so the
    # 1- and 2-thread rows and the peers of one operation compare the same size.
    path = tmp_path / "b.json"
    rc, out, _ = _run(["--size", "2**18", "--only", "trunc_normal,uniform", "--dtype",
                       "float32", "--threads", "1,2", "--repeat", "4", "--max-seconds",
                       "1e-9", "--json", str(path)], capsys)
    assert rc == 0
    rows = json.loads(path.read_text())["rows"]
    assert {r["size"] for r in rows} == {1 << 18}
    assert all(r["repeats"] == 1 and len(r["times_s"]) == 1 and r["spread"] is None
               and r["noisy"] is False for r in rows)
    for op in ("trunc_normal", "uniform"):
        assert {r["threads"] for r in rows if r["op"] == op and r["impl"] == "initfill"} \
            == {1, 2}
    table = [r for r in _table_rows(out) if r[0] in ("trunc_normal", "uniform")]
    assert table and {r[4] for r in table} == {"2^18"} and {r[5] for r in table} == {"1"}


def test_timed_calls_stop_at_the_budget():
    fake = iter([0.4, 0.4, 0.4, 0.4, 0.4])
    times = run.timed_calls(lambda: None, 5, 1.0, clock=lambda fn: next(fake))
    assert times == [0.4, 0.4, 0.4]                    # 1.2 s >= 1.0 s after three
    assert run.timed_calls(lambda: None, 3, 0.0, clock=lambda fn: 9.0) == [9.0] * 3
    assert run.timed_calls(lambda: None, 3, 1.0, clock=lambda fn: 5.0) == [5.0]


def test_noise_flags_from_fake_timings_and_load(monkeypatch, tmp_path, capsys):
    # Timings alternate 1 ms / 2 ms: every row's spread is 2.0, above the 1.5 threshold;
    # a load average of 7.5 on this machine's CPUs says it was busy.
    ticks = iter(range(10**6))
    monkeypatch.setattr(run, "_timed", lambda fn: (fn(), 0.001 * (1 + next(ticks) % 2))[1])
    monkeypatch.setattr(run, "load_average", lambda: 7.5)
    path = tmp_path / "n.json"
    rc, out, err = _run(["--only", "uniform", "--dtype", "float32", "--threads", "1",
                         "--repeat", "4", "--max-seconds", "0", "--noise-threshold", "1.5",
                         "--json", str(path)], capsys)
    assert rc == 0
    doc = json.loads(path.read_text())
    assert doc["noise"]["load_average_1min"] == 7.5
    assert doc["noise"]["busy"] is (7.5 > 0.25 * initfill.available_cpus())
    assert doc["noise"]["spread_threshold"] == 1.5
    rows = doc["rows"]
    assert all(r["spread"] == pytest.approx(2.0) and r["noisy"] for r in rows)
    assert doc["noise"]["noisy_rows"] == len(rows)
    assert "load average at start: 7.50" in out
    assert ("BUSY" in out) is doc["noise"]["busy"]
    assert all("NOISY" in r[-1] for r in _table_rows(out))
    assert "noisy (spread 2.00)" in err


def test_quiet_machine_and_steady_timings_are_not_flagged(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(run, "_timed", lambda fn: (fn(), 0.001)[1])
    monkeypatch.setattr(run, "load_average", lambda: 0.0)
    path = tmp_path / "q.json"
    rc, out, _ = _run(["--only", "bits", "--dtype", "float32", "--threads", "1",
                       "--repeat", "3", "--max-seconds", "0", "--json", str(path)], capsys)
    assert rc == 0
    doc = json.loads(path.read_text())
    assert doc["noise"]["busy"] is False and doc["noise"]["noisy_rows"] == 0
    assert all(r["spread"] == 1.0 and not r["noisy"] and r["repeats"] == 3
               for r in doc["rows"])
    assert "BUSY" not in out and "NOISY" not in "".join(" ".join(r) for r in _table_rows(out))


def test_noise_helpers():
    from initfill._tools.bench import noise

    assert noise.spread([1.0]) is None and noise.spread([2.0, 1.0, 3.0]) == 3.0
    assert noise.machine_busy(None, 2) is False
    assert noise.machine_busy(0.6, 2) is True and noise.machine_busy(0.6, 4) is False
    assert noise.machine_busy(0.5, 2) is False                 # at the line: not busy


def test_fake_jax_peer(monkeypatch, capsys, tmp_path):
    """JAX rows appear when jax imports (a fake here): jit, block_until_ready, no f64."""
    calls = []

    class Out:
        def __init__(self, a):
            self.a = a

        def block_until_ready(self):
            calls.append(self.a.shape)
            return self

    def sample(kind):
        def f(key, *args):
            shape = args[-2]                      # (..., shape, dtype)
            return Out(np.zeros(shape, np.float32))
        return f

    jax = types.ModuleType("jax")
    jax.__version__ = "0.0-fake"
    jax.random = types.SimpleNamespace(
        PRNGKey=lambda seed: seed, uniform=sample("u"), normal=sample("n"),
        truncated_normal=sample("t"), bits=sample("b"))
    jax.jit = lambda f: f
    jax.config = types.SimpleNamespace(read=lambda name: False)
    jnp = types.ModuleType("jax.numpy")
    jnp.float32, jnp.bfloat16, jnp.uint32 = "float32", "bfloat16", "uint32"
    inits = types.ModuleType("jax.nn.initializers")
    inits.variance_scaling = lambda scale, mode, dist, in_axis, out_axis: \
        (lambda key, shape, dtype: Out(np.zeros(shape, np.float32)))
    nn = types.ModuleType("jax.nn")
    nn.initializers = inits
    jax.numpy, jax.nn = jnp, nn
    for name, mod in (("jax", jax), ("jax.numpy", jnp), ("jax.nn", nn),
                      ("jax.nn.initializers", inits)):
        monkeypatch.setitem(sys.modules, name, mod)
    path = tmp_path / "j.json"
    rc, out, _ = _run(["--only", "*uniform,trunc_normal,bits", "--dtype", "float32,float64",
                       "--threads", "1,2", "--json", str(path)], capsys)
    assert rc == 0
    assert "jax 0.0-fake" in out
    rows = json.loads(path.read_text())["rows"]
    jrows = [r for r in rows if r["impl"] == "jax"]
    got = {(r["op"], r["dtype"]) for r in jrows}
    assert got == {("uniform", "float32"), ("trunc_normal", "float32"),
                   ("bits", "uint32"), ("xavier_uniform", "float32"),
                   ("kaiming_uniform", "float32")}          # float64 needs jax_enable_x64
    assert all(r["threads"] == 2 and r["ratio"] > 0 for r in jrows)
    assert (64, 64) in calls                                   # initializers: 2-D shapes


@pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed: the torch peer and "
                                           "--model are not exercised")
def test_torch_peer_rows(capsys):
    rc, out, _ = _run(["--only", "*normal", "--dtype", "bfloat16", "--threads", "1,2"], capsys)
    assert rc == 0
    seen = {(r[0], int(r[2])) for r in _table_rows(out) if r[3].startswith("torch ")}
    for op in ("normal", "trunc_normal", "xavier_normal", "kaiming_normal", "lecun_normal"):
        assert (op, 1) in seen and (op, 2) in seen


@pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed: --model needs it")
def test_model_tiny(tmp_path, capsys):
    path = tmp_path / "model.json"
    rc = cli.main(["bench", "--model", "--model-size", "tiny", "--model-layers", "1",
                    "--threads", "1", "--json", str(path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "SIMD: " in out and "Llama-shaped model" in out
    for label in ("floor: meta -> to_empty -> initfill.zeros_",
                  "re-init, touched: init_module_", "reset_parameters (torch)",
                  "inside patch()", "construction (torch)",
                  "init_module_ path / first-touch floor", "target <= 1.15",
                  "target >= 12", "target >= 4"):
        assert label in out
    assert "load average at start: " in out
    doc = json.loads(path.read_text())
    assert set(doc["noise"]) == {"load_average_1min", "busy"}
    res = doc["model"]
    assert res["layers"] == 1 and res["threads"] == 1
    for key in ("floor_zeros", "meta_to_empty_init_module",
                "meta_to_empty_reset_parameters", "reinit_init_module",
                "reinit_reset_parameters", "construct_patch", "construct_torch",
                "meta_to_empty_zero"):
        assert res[key] > 0 and res[key + "_cpu"] >= 0
    # the floor is the faster of the two memsets, whichever it was in this run
    floor = min(res["floor_zeros"], res["meta_to_empty_zero"])
    assert res["floor"] == floor
    assert res["floor_step"] == ("floor_zeros" if floor == res["floor_zeros"]
                                 else "meta_to_empty_zero")
    assert res["init_module_over_floor"] == pytest.approx(
        res["meta_to_empty_init_module"] / floor)
    assert res["zeros_over_floor"] >= 1 and res["zero_over_floor"] >= 1
    assert min(res["zeros_over_floor"], res["zero_over_floor"]) == 1
    assert res["reinit_speedup"] == pytest.approx(
        res["reinit_reset_parameters"] / res["reinit_init_module"])
    assert res["speedup_construct"] == pytest.approx(
        res["construct_torch"] / res["construct_patch"])
    t = res["targets"]
    assert set(t) == {"reinit_speedup", "init_module_over_floor", "speedup_construct"}
    assert t["init_module_over_floor"]["met"] is (res["init_module_over_floor"] <= 1.15)
    assert t["reinit_speedup"]["met"] is (res["reinit_speedup"] >= 12)


def test_model_without_torch(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    rc = cli.main(["bench", "--model", "--model-size", "tiny"])
    assert rc == 1
    assert "--model needs PyTorch, which is not installed" in capsys.readouterr().err


def test_python_m_initfill_bench_help():
    r = subprocess.run([sys.executable, "-m", "initfill", "bench", "--help"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert r.returncode == 0
    for opt in ("--size", "--dtype", "--threads", "--only", "--repeat", "--json",
                "--plot", "--model", "--model-size", "--max-seconds"):
        assert opt in r.stdout


def test_progress_rewrites_one_line_on_a_terminal():
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    s = Tty()
    bar = run.Progress(s, 2)
    bar("a long first measurement")
    bar("short")
    bar.close()
    text = s.getvalue()
    assert "\n" not in text and text.count("\r") == 4
    assert "[  1/2] a long first measurement" in text and "[  2/2] short" in text
