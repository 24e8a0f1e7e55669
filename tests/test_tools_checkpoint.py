"""``initfill checkpoint``: a random-weight checkpoint folder that transformers'
from_pretrained and safetensors' safe_open load, with the values init_module_ gives."""
from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
pytest.importorskip("safetensors", reason="safetensors is not installed ([test] has it)")
transformers = pytest.importorskip("transformers",
                                   reason="transformers is not installed ([test] has it)")
from safetensors import safe_open  # noqa: E402

import initfill.torch as it  # noqa: E402
from initfill._tools import cli  # noqa: E402

TINY_LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
              "initializer_range": 0.05,
              "vocab_size": 96, "hidden_size": 32, "intermediate_size": 48,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "max_position_embeddings": 64}


def write_config(tmp_path, **changes):
    path = tmp_path / "tiny" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps({**TINY_LLAMA, **changes}))
    return path


def reference(config_path, seed, dtype=None, scheme="normal"):
    config = transformers.AutoConfig.from_pretrained(str(config_path))
    with torch.device("meta"):
        m = transformers.AutoModelForCausalLM.from_config(config)
    if scheme == "normal":      # --scheme auto: transformers' own init law
        it.materialize_(m, "cpu", seed, "normal", std=config.initializer_range)
    else:
        it.materialize_(m, "cpu", seed, scheme)
    return {n: (p.detach() if dtype is None else p.detach().to(dtype))
            for n, p in m.named_parameters()}


@pytest.mark.parametrize("tie", [True, False])
def test_hf_config_loads_with_from_pretrained(tie, tmp_path, capsys):
    config = write_config(tmp_path, tie_word_embeddings=tie)
    out = tmp_path / "ckpt"
    assert cli.main(["checkpoint", "--hf-config", str(config), "--out", str(out),
                     "--seed", "3"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "model.safetensors"]
    loaded = transformers.AutoModelForCausalLM.from_pretrained(out)
    expected = reference(config, 3)
    for name, p in loaded.named_parameters():
        assert torch.equal(p.detach(), expected[name]), name
    assert (loaded.lm_head.weight is loaded.model.embed_tokens.weight) == tie
    with safe_open(out / "model.safetensors", "pt") as f:
        assert f.metadata() == {"format": "pt"}
        assert ("lm_head.weight" in f.keys()) == (not tie)   # a tie is stored once


def test_hf_config_sharded_in_bfloat16(tmp_path):
    config = write_config(tmp_path)
    out = tmp_path / "ckpt"
    assert cli.main(["checkpoint", "--hf-config", str(config), "--out", str(out),
                     "--dtype", "bfloat16", "--max-shard-size", "20KB",
                     "--chunk-size", "4K"]) == 0
    index = json.loads((out / "model.safetensors.index.json").read_text())
    shards = sorted(set(index["weight_map"].values()))
    assert len(shards) > 1
    assert sorted(p.name for p in out.iterdir()) == sorted(
        shards + ["config.json", "model.safetensors.index.json"])
    loaded = transformers.AutoModelForCausalLM.from_pretrained(out, dtype=torch.bfloat16)
    expected = reference(config, 0, torch.bfloat16)
    for name, p in loaded.named_parameters():
        assert torch.equal(p.detach(), expected[name]), name
    # --scheme torch: each layer's own torch default (Llama is made of torch layers)
    assert cli.main(["checkpoint", "--hf-config", str(config), "--out", str(out),
                     "--scheme", "torch", "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "model.safetensors"]
    loaded = transformers.AutoModelForCausalLM.from_pretrained(out)
    expected = reference(config, 0, scheme="torch")
    for name, p in loaded.named_parameters():
        assert torch.equal(p.detach(), expected[name]), name


def test_torch_module_factory(tmp_path, monkeypatch, capsys):
    (tmp_path / "ckpt_models.py").write_text(
        "import torch\n"
        "def mlp():\n"
        "    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(),\n"
        "                               torch.nn.Linear(16, 4))\n"
        "NOT_A_MODEL = list\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "ckpt"
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:mlp", "--out", str(out),
                     "--seed", "5", "--scheme", "normal"]) == 0
    import ckpt_models
    with torch.device("meta"):
        m = ckpt_models.mlp()
    it.materialize_(m, "cpu", 5, "normal")
    with safe_open(out / "model.safetensors", "pt") as f:
        assert sorted(f.keys()) == sorted(m.state_dict())
        for name, t in m.state_dict().items():
            assert torch.equal(f.get_tensor(name), t)
    capsys.readouterr()
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:mlp", "--out",
                     str(out)]) == 1                          # exists, no --overwrite
    assert "overwrite" in capsys.readouterr().err
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:mlp", "--out", str(out),
                     "--overwrite"]) == 0
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:NOT_A_MODEL",
                     "--out", str(tmp_path / "x")]) == 2
    assert "not a torch.nn.Module" in capsys.readouterr().err
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:nope",
                     "--out", str(tmp_path / "x")]) == 2
    assert "--torch-module 'ckpt_models:nope'" in capsys.readouterr().err
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:mlp", "--out",
                     str(tmp_path / "y"), "--max-shard-size", "lots"]) == 2
    assert "max_shard_size" in capsys.readouterr().err
    assert cli.main(["checkpoint", "--torch-module", "ckpt_models:mlp", "--out",
                     str(tmp_path / "z"), "--std", "0.1"]) == 2
    assert "--std goes with --scheme normal" in capsys.readouterr().err


def test_options_and_their_errors(tmp_path, capsys):
    args = cli.build_parser().parse_args(["checkpoint", "--hf-config", "c.json",
                                          "--out", "o"])
    assert (args.dtype, args.seed, args.scheme, args.std, args.max_shard_size,
            args.chunk_size, args.progress, args.overwrite) == (
        None, 0, "auto", None, None, 64 << 20, "auto", False)
    for argv in (["checkpoint", "--out", "o"],                       # no model
                 ["checkpoint", "--hf-config", "c", "--torch-module", "a:b", "--out", "o"],
                 ["checkpoint", "--hf-config", "c"],                 # no --out
                 ["checkpoint", "--hf-config", "c", "--out", "o", "--dtype", "int8"]):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == 2
    capsys.readouterr()
    missing = tmp_path / "missing.json"
    assert cli.main(["checkpoint", "--hf-config", str(missing), "--out",
                     str(tmp_path / "o")]) == 2
    assert "--hf-config" in capsys.readouterr().err


def test_hf_config_of_non_torch_layers_uses_transformers_init_law(tmp_path):
    # GPT-2's Conv1D is transformers' own layer without reset_parameters: the default
    # scheme (normal, std = initializer_range) fills it; --scheme torch names it.
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model_type": "gpt2", "n_embd": 32, "n_layer": 2,
                                  "n_head": 4, "vocab_size": 80, "n_positions": 32,
                                  "bos_token_id": 0, "eos_token_id": 0}))
    out = tmp_path / "ckpt"
    assert cli.main(["checkpoint", "--hf-config", str(config), "--out", str(out)]) == 0
    loaded = transformers.AutoModelForCausalLM.from_pretrained(out)
    expected = reference(config, 0)
    for name, p in loaded.named_parameters():
        assert torch.equal(p.detach(), expected[name]), name
    assert cli.main(["checkpoint", "--hf-config", str(config), "--out", str(tmp_path / "t"),
                     "--scheme", "torch"]) == 2
