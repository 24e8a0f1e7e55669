"""initfill.torch.save_random: a streamed safetensors checkpoint that is byte for byte
the file safetensors.torch.save_file writes from the materialized, initialized model."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
safetensors_torch = pytest.importorskip("safetensors.torch",
                                        reason="safetensors is not installed ([test] has it)")
from safetensors import safe_open  # noqa: E402
from torch import nn  # noqa: E402

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402
from initfill.torch import _checkpoint_write  # noqa: E402
from initfill.torch._rules import torch_default_rules  # noqa: E402

# Subprocesses import the initfill under test (the built tree or the installed wheel).
SRC = str(Path(initfill.__file__).resolve().parents[1])


class OwnInit(nn.Module):
    """A module whose own reset_parameters runs (rule 1) and writes a buffer."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.empty(6, 3))
        self.register_buffer("table", torch.empty(4))
        self.inner = nn.Linear(3, 3)

    def reset_parameters(self):
        nn.init.normal_(self.scale, 0.0, 0.5)
        self.table.fill_(2.5)
        nn.init.zeros_(self.inner.bias)


class ShiftedLinear(nn.Linear):
    """A subclass of a torch layer without its own init (rule 3: torch's method runs)."""


def mlp():
    return nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.LayerNorm(32), nn.Linear(32, 8))


def half_model(dtype):
    def make():
        return nn.Sequential(nn.Embedding(40, 8, padding_idx=0), nn.Linear(8, 24),
                             nn.Conv1d(3, 5, 3)).to(dtype)
    return make


def tied():
    m = nn.Sequential(nn.Embedding(30, 12), nn.Linear(12, 12), nn.Linear(12, 30, bias=False))
    m[2].weight = m[0].weight
    return m


def with_buffers():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), OwnInit(), ShiftedLinear(3, 7),
                         nn.LSTM(7, 5), nn.MultiheadAttention(8, 2))


MODELS = {"mlp": mlp, "bf16": half_model(torch.bfloat16), "f16": half_model(torch.float16),
          "f64": half_model(torch.float64), "tied": tied, "buffers": with_buffers}


def on_meta(factory):
    with torch.device("meta"):
        return factory()


def reference_bytes(factory, tmp_path, *, seed=0, scheme="torch", dtype=None, metadata=None,
                    **options):
    """save_file of the materialized, initialized model, tied aliases left out."""
    m = it.materialize_(on_meta(factory), "cpu", seed, scheme, **options)
    first = {}
    for name, p in m.named_parameters(remove_duplicate=False):
        first.setdefault(id(p), name)
    params = dict(m.named_parameters(remove_duplicate=False))
    tensors = {}
    for name, t in m.state_dict().items():
        if name in params and first[id(params[name])] != name:
            continue
        if dtype is not None and t.is_floating_point():
            t = t.to(dtype)
        tensors[name] = t.contiguous().clone()
    path = tmp_path / "reference.safetensors"
    safetensors_torch.save_file(tensors, path, metadata=metadata)
    return path.read_bytes()


# "buffers" under "normal": OwnInit's buffer has no values (an error, tested below).
@pytest.mark.parametrize("model, scheme", [(m, s) for m in sorted(MODELS)
                                           for s in ("torch", "normal")
                                           if (m, s) != ("buffers", "normal")])
def test_bytes_equal_save_file_of_the_initialized_model(model, scheme, tmp_path):
    factory = MODELS[model]
    expected = reference_bytes(factory, tmp_path, seed=11, scheme=scheme)
    for chunk in (1 << 26, 4096, 1):   # one window; windows cutting tensors anywhere
        out = tmp_path / f"out{chunk}.safetensors"
        it.save_random(on_meta(factory), out, seed=11, scheme=scheme, chunk_bytes=chunk)
        assert out.read_bytes() == expected


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, "float64"])
def test_dtype_casts_floating_tensors_only(dtype, tmp_path):
    d = getattr(torch, dtype) if isinstance(dtype, str) else dtype
    expected = reference_bytes(with_buffers, tmp_path, seed=2, dtype=d)
    out = tmp_path / "cast.safetensors"
    it.save_random(on_meta(with_buffers), out, seed=2, dtype=dtype, chunk_bytes=100)
    assert out.read_bytes() == expected
    with safe_open(out, "pt") as f:
        assert f.get_tensor("1.num_batches_tracked").dtype == torch.int64
        assert f.get_tensor("0.weight").dtype == d


@pytest.mark.parametrize("metadata", [None, {}, {"format": "pt"}, {"note": 'q"uoted\n é'}])
def test_metadata_in_the_header(metadata, tmp_path):
    expected = reference_bytes(mlp, tmp_path, metadata=metadata)
    out = tmp_path / "m.safetensors"
    it.save_random(on_meta(mlp), out, metadata=metadata)
    assert out.read_bytes() == expected
    with safe_open(out, "pt") as f:
        if metadata:
            assert f.metadata() == metadata


def test_safe_open_reads_the_values_of_init_module(tmp_path):
    ref = it.materialize_(on_meta(with_buffers), "cpu", 5)
    out = tmp_path / "v.safetensors"
    it.save_random(on_meta(with_buffers), out, seed=5)
    with safe_open(out, "pt") as f:
        assert set(f.keys()) == set(ref.state_dict())
        for name, t in ref.state_dict().items():
            assert torch.equal(f.get_tensor(name), t), name
        assert torch.equal(f.get_tensor("2.table"), torch.full((4,), 2.5))


def test_tied_weights_written_once_under_the_first_name(tmp_path):
    out = tmp_path / "t.safetensors"
    it.save_random(on_meta(tied), out, seed=1)
    with safe_open(out, "pt") as f:
        assert "0.weight" in f.keys() and "2.weight" not in f.keys()


def test_callable_scheme_runs_per_parameter(tmp_path):
    def scheme(name, p, g):
        it.normal_(p, 0.0, 0.01, generator=g)
    expected = reference_bytes(mlp, tmp_path, seed=4, scheme=scheme)
    out = tmp_path / "c.safetensors"
    it.save_random(on_meta(mlp), out, seed=4, scheme=scheme, chunk_bytes=64)
    assert out.read_bytes() == expected


def test_module_not_on_meta_is_left_unchanged(tmp_path):
    m = with_buffers()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    out = tmp_path / "cpu.safetensors"
    it.save_random(m, out, seed=3)
    assert all(torch.equal(before[k], v) for k, v in m.state_dict().items())
    ref = it.init_module_(with_buffers(), 3)
    with safe_open(out, "pt") as f:
        for name, p in ref.named_parameters():
            assert torch.equal(f.get_tensor(name), p.detach()), name


def test_meta_buffer_without_values_is_named(tmp_path):
    m = on_meta(mlp)
    m.register_buffer("positions", torch.empty(8, device="meta"))
    with pytest.raises(ValueError, match="persistent buffer 'positions'"):
        it.save_random(m, tmp_path / "b.safetensors")
    with pytest.raises(ValueError, match=r"persistent buffer '2\.table'"):
        it.save_random(on_meta(with_buffers), tmp_path / "b.safetensors", scheme="normal")
    assert list(tmp_path.iterdir()) == []
    m.register_buffer("positions", torch.empty(8, device="meta"), persistent=False)
    it.save_random(m, tmp_path / "b.safetensors")


def test_sharded_index_as_transformers_writes_it(tmp_path):
    m = on_meta(with_buffers)
    single = tmp_path / "single.safetensors"
    it.save_random(m, single, seed=9)
    out = tmp_path / "shards"
    index = it.save_random(m, out, seed=9, max_shard_size=600)
    assert index == out / "model.safetensors.index.json"
    doc = json.loads(index.read_text())
    files = sorted(set(doc["weight_map"].values()))
    assert len(files) > 2 and files[0] == f"model-00001-of-{len(files):05d}.safetensors"
    assert sorted(p.name for p in out.iterdir()) == sorted(files + [index.name])
    with safe_open(single, "pt") as whole:
        assert set(doc["weight_map"]) == set(whole.keys())
        total = 0
        for name, fname in doc["weight_map"].items():
            with safe_open(out / fname, "pt") as f:
                t = f.get_tensor(name)
                assert torch.equal(t, whole.get_tensor(name))
                total += t.numel() * t.element_size()
        assert doc["metadata"]["total_size"] == total
    one = it.save_random(m, tmp_path / "one", seed=9, max_shard_size="5GB")
    assert one == tmp_path / "one" / "model.safetensors"
    assert one.read_bytes() == single.read_bytes()
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["model.safetensors"]


def test_max_shard_size_strings():
    from initfill.torch._safetensors_layout import parse_size
    assert parse_size("5GB") == 5 * 10**9 and parse_size("2MiB") == 2 << 20
    assert parse_size(" 1.5 kb ") == 1500 and parse_size("1000") == 1000
    with pytest.raises(ValueError, match="max_shard_size"):
        parse_size("5 parsecs")
    with pytest.raises(ValueError, match="max_shard_size"):
        parse_size(0)
    with pytest.raises(TypeError, match="max_shard_size"):
        parse_size(5.0)


def test_refuses_to_overwrite(tmp_path):
    out = tmp_path / "x.safetensors"
    out.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        it.save_random(on_meta(mlp), out)
    assert out.read_bytes() == b"precious"
    it.save_random(on_meta(mlp), out, overwrite=True)
    assert out.read_bytes() == reference_bytes(mlp, tmp_path)
    shards = tmp_path / "s"
    it.save_random(on_meta(mlp), shards, max_shard_size=1000)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        it.save_random(on_meta(mlp), shards, max_shard_size=1000)
    it.save_random(on_meta(mlp), shards, max_shard_size="1GB", overwrite=True)
    assert [p.name for p in shards.iterdir()] == ["model.safetensors"]   # stale shards gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reference.safetensors", "s",
                                                          "x.safetensors"]


def test_bad_arguments_name_the_argument(tmp_path):
    m = on_meta(mlp)
    out = tmp_path / "a.safetensors"
    for kwargs, error, word in [({"dtype": torch.int8}, ValueError, "dtype"),
                                ({"dtype": "float77"}, ValueError, "dtype"),
                                ({"metadata": {"a": 1}}, TypeError, "metadata"),
                                ({"metadata": ["a"]}, TypeError, "metadata"),
                                ({"chunk_bytes": 0}, ValueError, "chunk_bytes"),
                                ({"progress": "yes"}, ValueError, "progress"),
                                ({"overwrite": 1}, TypeError, "overwrite"),
                                ({"seed": -1}, ValueError, "seed"),
                                ({"scheme": "xavier"}, ValueError, "scheme")]:
        with pytest.raises(error, match=word):
            it.save_random(m, out, **kwargs)
    with pytest.raises(IsADirectoryError, match="max_shard_size"):
        it.save_random(m, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_nothing(tmp_path, monkeypatch):
    calls = []
    real = _checkpoint_write._Filler.fill_block

    def interrupted(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(_checkpoint_write._Filler, "fill_block", interrupted)
    with pytest.raises(KeyboardInterrupt):
        it.save_random(on_meta(mlp), tmp_path / "i.safetensors", chunk_bytes=4096)
    with pytest.raises(KeyboardInterrupt):
        calls.clear()
        it.save_random(on_meta(mlp), tmp_path / "shards", max_shard_size=500, chunk_bytes=4096)
    assert [p.name for p in tmp_path.iterdir()] == ["shards"]
    assert list((tmp_path / "shards").iterdir()) == []


def test_file_size_limit_gives_a_clean_error(tmp_path):
    # A file-size limit (RLIMIT_FSIZE) stands for a full disk: the write fails with
    # EFBIG, and neither the checkpoint nor its temporary file is left.
    script = textwrap.dedent(f"""
        import errno, resource, signal, sys, torch
        import initfill.torch as it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        with torch.device("meta"):
            m = torch.nn.Linear(1024, 1024)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        try:
            it.save_random(m, sys.argv[1], chunk_bytes=1 << 16)
        except OSError as e:
            print("errno", e.errno == errno.EFBIG, type(e).__name__, "failed" in str(e))
    """)
    res = subprocess.run([sys.executable, "-c", script, str(tmp_path / "big.safetensors")],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": SRC})
    assert res.stdout.split() == ["errno", "True", "OSError", "True"], res.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no /dev/shm (tmpfs)")
def test_file_system_without_o_direct(tmp_path):
    # tmpfs has no O_DIRECT: the buffered path writes the same bytes.
    import tempfile
    with tempfile.TemporaryDirectory(dir="/dev/shm") as d:
        out = Path(d) / "shm.safetensors"
        it.save_random(on_meta(with_buffers), out, seed=1, chunk_bytes=300)
        assert out.read_bytes() == reference_bytes(with_buffers, tmp_path, seed=1)


def test_progress_bar_on_request(tmp_path, capsys, monkeypatch):
    it.save_random(on_meta(mlp), tmp_path / "p.safetensors")          # not a terminal: none
    assert capsys.readouterr().err == ""
    it.save_random(on_meta(mlp), tmp_path / "q.safetensors", progress="always")
    assert "save_random q.safetensors" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "tqdm", None)                    # the plain fallback
    it.save_random(on_meta(mlp), tmp_path / "r.safetensors", progress="always")
    err = capsys.readouterr().err
    assert "GiB" in err and "100%" in err and err.endswith("\n")


def test_big_checkpoint_in_bounded_memory(tmp_path):
    # 1 GiB of float32 written by a process whose peak RSS grows by at most 256 MiB
    # (two 64 MiB windows and the filled blocks in them): four times the bound, and
    # about a second of filling and writing, so CI's 2 cores stay well under a minute.
    # Then blocks of it read back equal block fills (global_shape/offset).
    out = tmp_path / "big.safetensors"
    script = textwrap.dedent("""
        import resource, sys, torch
        import initfill.torch as it
        with torch.device("meta"):
            m = torch.nn.Sequential(*[torch.nn.Linear(4096, 4096, bias=False)
                                      for _ in range(16)])
        it.save_random(torch.nn.Linear(64, 64, device="meta"), sys.argv[1] + ".warm",
                       progress=False)  # imports and first allocations out of the way
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        it.save_random(m, sys.argv[1], seed=7, progress=False)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024)
    """)
    res = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONPATH": SRC})
    assert res.returncode == 0, res.stderr
    assert out.stat().st_size > 1 << 30
    assert int(res.stdout) <= 256 << 20
    with torch.device("meta"):
        layer = nn.Linear(4096, 4096, bias=False)
    rule = torch_default_rules(layer)["weight"]
    w = layer.weight
    with safe_open(out, "pt") as f:
        for name, rows in [("0.weight", (0, 3)), ("7.weight", (1000, 1001)),
                           ("15.weight", (4090, 4096))]:
            got = f.get_slice(name)[rows[0]:rows[1], 17:33]
            block = torch.empty(rows[1] - rows[0], 16)
            rule.fill(block, initfill.Generator(7), initfill.stream_id(name), tuple(w.shape),
                      (rows[0], 17))
            assert torch.equal(got, block), name


def test_ctrl_c_during_a_write_leaves_nothing(tmp_path):
    # A real SIGINT while a 1 GiB checkpoint is being written (in small windows):
    # KeyboardInterrupt, and neither the checkpoint nor its temporary file is left.
    script = textwrap.dedent("""
        import sys, torch
        import initfill.torch as it
        with torch.device("meta"):
            m = torch.nn.Sequential(*[torch.nn.Linear(4096, 4096, bias=False)
                                      for _ in range(16)])
        print("start", flush=True)
        try:
            it.save_random(m, sys.argv[1], chunk_bytes=1 << 20, progress=False)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """)
    final = tmp_path / "c.safetensors"
    child = subprocess.Popen([sys.executable, "-c", script, str(final)], text=True,
                             stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": SRC})
    try:
        assert child.stdout.readline() == "start\n"
        deadline = time.monotonic() + 60
        while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
    finally:
        child.kill()
    assert out == "interrupted\n"
    assert list(tmp_path.iterdir()) == []


def _can_mount_tmpfs() -> bool:
    """Root with the right to mount (a 1 MiB tmpfs is mounted and unmounted)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return False
    import tempfile
    d = tempfile.mkdtemp()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", d],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", d], check=True)
        return ok
    except OSError:
        return False
    finally:
        os.rmdir(d)


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs root and mount (a small tmpfs)")
def test_full_disk_gives_a_clean_error(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], check=True)
    try:
        with torch.device("meta"):
            m = nn.Linear(2048, 1024)                       # 8 MiB of float32
        with pytest.raises(OSError, match="No space left") as e:
            it.save_random(m, disk / "full.safetensors")
        assert e.value.errno == errno.ENOSPC
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("failing", ["posix_fallocate", "pwrite"])
def test_disk_full_while_presizing_or_writing_leaves_nothing(tmp_path, monkeypatch, failing):
    # ENOSPC from the reservation or from the third data write (on the writer
    # thread), wherever the file system is: the error is the OSError itself and
    # neither the final name nor the temporary file is left.
    real = getattr(os, failing)
    calls = []

    def full(*args):
        calls.append(1)
        if failing == "posix_fallocate" or len(calls) >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args)

    monkeypatch.setattr(os, failing, full)
    with torch.device("meta"):
        m = nn.Linear(1024, 1024)                           # 4 MiB of float32
    with pytest.raises(OSError) as e:
        it.save_random(m, tmp_path / "full.safetensors", chunk_bytes=1 << 20)
    assert e.value.errno == errno.ENOSPC and calls
    assert list(tmp_path.iterdir()) == []


def test_parameter_nothing_writes_is_named(tmp_path):
    class Forgets(nn.Module):
        def __init__(self):
            super().__init__()
            self.kept = nn.Parameter(torch.empty(3))
            self.inner = nn.Module()
            self.inner.lost = nn.Parameter(torch.empty(2))

        def reset_parameters(self):
            nn.init.ones_(self.kept)

    with pytest.raises(ValueError, match=r"'0\.inner\.lost'"):
        it.save_random(on_meta(lambda: nn.Sequential(Forgets())), tmp_path / "f.safetensors",
                       chunk_bytes=4096)
    assert list(tmp_path.iterdir()) == []
