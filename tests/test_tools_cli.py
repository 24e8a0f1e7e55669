"""The ``initfill`` command (``initfill.cli.main`` and ``python -m initfill``)."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from initfill._tools import cli
from initfill._tools import study as S

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["study", "--depth", "3", "--width", "16", "--batch", "8"]


def test_study_prints_table(capsys):
    rc = cli.main(SMALL + ["--activation", "relu", "--init", "zeros,he", "--seed", "4"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "depth 3, width 16, batch 8, activation relu, seed 4" in out
    assert "zeros" in out and "he" in out
    assert "symmetry never broken): zeros" in out


def test_study_defaults(capsys):
    args = cli.build_parser().parse_args(["study"])
    assert (args.depth, args.width, args.batch, args.activation, args.seed, args.plot) == \
        (9, 256, 256, "tanh", 0, None)
    assert args.init is None and args.torch_model is None and args.batch_shape is None
    # None: the mode's own default (the MLP's below, --torch-model's in its own tests)
    assert S.DEFAULT_INITS == ("zeros", "normal:0.01", "normal:1.0", "xavier", "he")


@pytest.mark.parametrize("argv", [
    SMALL + ["--depth", "0"], SMALL + ["--width", "x"], SMALL + ["--seed", "-1"],
])
def test_bad_option_values_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2


def test_bad_activation_or_init(capsys):
    assert cli.main(SMALL + ["--activation", "softplus"]) == 2
    assert "unknown activation 'softplus'" in capsys.readouterr().err
    assert cli.main(SMALL + ["--init", "he,bogus"]) == 2
    assert "unknown init spec 'bogus'" in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "study" in capsys.readouterr().err


def test_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "s.png"
    assert cli.main(SMALL + ["--plot", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert f"wrote {out}" in capsys.readouterr().out


def test_plot_without_matplotlib(tmp_path, capsys, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "s.png"
    assert cli.main(SMALL + ["--plot", str(out)]) == 1
    captured = capsys.readouterr()
    assert "std of activations" in captured.out          # the table still comes
    assert "needs matplotlib" in captured.err and "pip install matplotlib" in captured.err
    assert not out.exists()


def test_plot_unwritable(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert cli.main(SMALL + ["--plot", str(tmp_path / "no" / "dir" / "s.png")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_python_dash_m():
    proc = subprocess.run([sys.executable, "-m", "initfill"] + SMALL + ["--init", "xavier"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "std of activations a_l" in proc.stdout


def test_console_script_entry_point_is_the_command():
    tomllib = pytest.importorskip("tomllib")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, attr = meta["project"]["scripts"]["initfill"].partition(":")
    assert getattr(importlib.import_module(module), attr) is cli.main


def test_plot_needs_only_the_bench_extra():
    tomllib = pytest.importorskip("tomllib")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    bench = meta["project"]["optional-dependencies"]["bench"]
    assert any(req.split(">")[0].split("=")[0].strip() == "matplotlib" for req in bench)
