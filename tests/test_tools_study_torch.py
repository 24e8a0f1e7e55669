"""``initfill study --torch-model pkg.mod:factory --batch-shape ...``: activation
statistics of a user's torch model under several initializers."""
from __future__ import annotations

import sys
import textwrap

import pytest

torch = pytest.importorskip("torch")

from initfill._tools import cli  # noqa: E402
from initfill._tools.study import torch_model as TM  # noqa: E402


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py

MODELS = """
    from torch import nn

    def cnn():
        return nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 4))

    class Zoo:
        mlp = staticmethod(lambda: nn.Sequential(nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 2)))

    def not_a_model():
        return 3

    NOT_CALLABLE = 1
"""


@pytest.fixture
def models(tmp_path, monkeypatch):
    (tmp_path / "initfill_study_models.py").write_text(textwrap.dedent(MODELS))
    monkeypatch.syspath_prepend(str(tmp_path))
    return "initfill_study_models"


def test_the_default_initializers_on_a_cnn(models):
    r = TM.run_torch_study(f"{models}:cnn", (16, 1, 6, 6), seed=0)
    assert r.labels == TM.DEFAULT_TORCH_INITS
    by = dict(zip(r.labels, r.stats))
    assert [x.name for x in by["lsuv"]] == ["0", "2", "4", "7"]
    assert all(abs(x.std - 1) <= 0.1 for x in by["lsuv"])
    small = [x.std for x in by["normal:0.01"]]
    # 0.01 * sqrt(72 / 2) = 0.06 per conv layer, less with zero padding
    assert all(b < 0.1 * a for a, b in zip(small[:3], small[1:3]))
    he = [x.std for x in by["he"]]
    assert max(he[:3]) < 2 * min(he[:3])                 # He keeps ReLU convs steady


def test_the_command_prints_the_tables_and_writes_the_plot(models, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "cnn.png"
    argv = ["study", "--torch-model", f"{models}:Zoo.mlp", "--batch-shape", "8,5",
            "--init", "he,lsuv,normal:0.01", "--seed", "3", "--plot", str(png)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"{models}:Zoo.mlp, batch 8x5 N(0, 1), seed 3" in out
    assert "std of layer outputs (forward)" in out and "std of weight gradients" in out
    head = next(line for line in out.splitlines() if line.startswith("layer"))
    assert head.split() == ["layer", "name", "type", "he", "lsuv", "normal:0.01"]
    assert png.read_bytes()[:4] == b"\x89PNG"
    # reproducible: the same tables again
    assert cli.main(argv[:-2]) == 0
    assert capsys.readouterr().out == out.split("\n\nwrote ")[0] + "\n"


def test_a_dotted_factory_and_every_init_spec(models):
    r = TM.run_torch_study(f"{models}:Zoo.mlp", [4, 5],
                           "torch,normal:0.5,xavier,he,orthogonal,lsuv")
    assert len(r.stats) == 6 and all(len(s) == 2 for s in r.stats)


@pytest.mark.parametrize("argv, word", [
    (["--torch-model", "M:cnn"], "needs --batch-shape"),
    (["--batch-shape", "4,5"], "goes with --torch-model"),
    (["--torch-model", "M", "--batch-shape", "4,5"], "package.module:factory"),
    (["--torch-model", "no_such_module_xyz:f", "--batch-shape", "4,5"], "cannot import"),
    (["--torch-model", "M:missing", "--batch-shape", "4,5"], "no attribute"),
    (["--torch-model", "M:NOT_CALLABLE", "--batch-shape", "4,5"], "not callable"),
    (["--torch-model", "M:not_a_model", "--batch-shape", "4,5"], "not a torch.nn.Module"),
    (["--torch-model", "M:Zoo.mlp", "--batch-shape", "4,x"], "--batch-shape"),
    (["--torch-model", "M:Zoo.mlp", "--batch-shape", "0,5"], ">= 1"),
    (["--torch-model", "M:Zoo.mlp", "--batch-shape", "4,5", "--init", "zeros"],
     "unknown torch init spec"),
    (["--torch-model", "M:Zoo.mlp", "--batch-shape", "4,5", "--init", "normal:x"],
     "normal:STD"),
])
def test_bad_options_exit_2_with_a_message(models, argv, word, capsys):
    argv = [a.replace("M:", f"{models}:") if a.startswith("M") else a for a in argv]
    assert cli.main(["study", *argv]) == 2
    assert word in capsys.readouterr().err


def test_without_torch_the_option_says_so(monkeypatch, capsys):
    import initfill._tools.study as study_package
    monkeypatch.setitem(sys.modules, "initfill._tools.study.torch_model", None)
    monkeypatch.delattr(study_package, "torch_model")
    assert cli.main(["study", "--torch-model", "m:f", "--batch-shape", "4,5"]) == 2
    assert "--torch-model needs torch" in capsys.readouterr().err
