"""The model of ``initfill checkpoint``, built on the meta device (no memory)."""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..study.torch_model import load_factory

__all__ = ["hf_init_std", "hf_model", "torch_module"]

#: transformers' default ``initializer_range``.
HF_DEFAULT_STD = 0.02


def hf_init_std(model: nn.Module) -> float:
    """The std of transformers' own init of `model` (its config's
    ``initializer_range``), which the ``"normal"`` scheme then draws from."""
    config = getattr(model, "config", None)
    std = getattr(config, "initializer_range", None)
    return float(std) if isinstance(std, (int, float)) else HF_DEFAULT_STD


def hf_model(config_path: Path) -> nn.Module:
    """``AutoModelForCausalLM.from_config`` of the transformers config at
    `config_path`, on the meta device.

    Raises
    ------
    ImportError
        Without transformers (the ``[hf]`` extra).
    ValueError
        A config transformers cannot read, or one without a causal LM.
    """
    import transformers

    try:
        config = transformers.AutoConfig.from_pretrained(str(config_path))
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(f"--hf-config {str(config_path)!r}: transformers cannot read it: {e}") \
            from None
    with torch.device("meta"):
        try:
            return transformers.AutoModelForCausalLM.from_config(config)
        except ValueError as e:
            raise ValueError(f"--hf-config {str(config_path)!r}: no causal LM for it: {e}") \
                from None


def torch_module(spec: str) -> nn.Module:
    """The model ``factory()`` returns for ``--torch-module pkg.mod:factory``, called
    on the meta device."""
    factory = load_factory(spec, "--torch-module")
    with torch.device("meta"):
        model = factory()
    if not isinstance(model, nn.Module):
        raise ValueError(f"--torch-module {spec!r} returned a {type(model).__name__}, "
                         f"not a torch.nn.Module")
    return model
