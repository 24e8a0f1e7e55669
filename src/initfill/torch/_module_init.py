"""``init_module_``: re-initialize a whole model in place, each parameter from
``(seed, stream_id(its qualified name))``."""
from __future__ import annotations

import fnmatch
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from initfill import Generator, stream_id

from ._dispatch import FILLED_DTYPES, initfill_fills
from ._patch import patch
from ._rules import Constant, Rule, is_norm, normal, torch_default_rules

RESIDUAL_PATTERNS = ("*.o_proj.weight", "*.out_proj.weight", "*.c_proj.weight",
                     "*.down_proj.weight", "*.fc2.weight", "*.w2.weight", "*.wo.weight",
                     "*.dense_4h_to_h.weight")


def init_module_(
    module: nn.Module,
    seed: int = 0,
    scheme: str | Callable[[str, Tensor, Generator], Any] = "torch",
    *,
    std: float = 0.02,
    residual_layers: int | None = None,
    residual_patterns: Sequence[str] = RESIDUAL_PATTERNS,
    buffers: bool = True,
) -> nn.Module:
    """Re-initialize every parameter of `module` in place, reproducibly.

    Each parameter is filled from ``(seed, stream_id(qualified_name))``: its values
    depend only on the seed, its name, shape and dtype, not on construction order,
    on which other parameters exist, on threads or on the device.  Shared (tied)
    parameters are filled once, under their first name.  Works on a model built on the
    meta device once materialized: ``with torch.device("meta"): m = Model()``,
    ``m.to_empty(device="cpu")``, ``init_module_(m, seed=0)``.

    Parameters
    ----------
    module : torch.nn.Module
        The model.  Parameters must not be on the meta device.
    seed : int
        Seed in ``[0, 2**64)``.
    scheme : {"torch", "normal"} or callable
        ``"torch"``: each module type's own default init, as its
        ``reset_parameters()`` would do it: Linear and Conv*
        ``kaiming_uniform_(a=sqrt(5))`` weights and U(±1/sqrt(fan_in)) biases,
        Embedding N(0, 1) with the padding row zeroed, LayerNorm / RMSNorm /
        GroupNorm / BatchNorm (and any module whose class name contains "Norm" with
        only ``weight``/``bias``) ones and zeros, RNN/LSTM/GRU U(±1/sqrt(hidden)),
        Bilinear, PReLU, MultiheadAttention, Transformer.  A module of another type
        with parameters of its own is reset with its ``reset_parameters()`` inside
        :func:`patch` with a generator seeded from `seed` and its name (order-dependent
        within that module only); without one, a RuntimeWarning names the parameters
        left as they are.
        ``"normal"``: N(0, `std`) for every parameter except biases (zeros) and the
        weights of normalization layers (ones); with `residual_layers`, parameters
        whose qualified name matches `residual_patterns` get
        ``std / sqrt(2 * residual_layers)`` (GPT-2).
        A callable ``scheme(name, param, generator)`` fills ``param`` itself, e.g.
        with ``initfill.torch.normal_(param, 0, 0.01, generator=generator)``; the
        generator is fresh per parameter and its first stream is
        ``stream_id(name)``.
    std : float
        Standard deviation of the ``"normal"`` scheme.
    residual_layers : int, optional
        Number of layers for the GPT-2 residual scaling of the ``"normal"`` scheme.
    residual_patterns : sequence of str
        ``fnmatch`` patterns of the residual projections' qualified names.
    buffers : bool
        Also reset the running statistics of batch-norm layers (means 0, variances 1,
        counters 0), which ``to_empty`` leaves uninitialized.

    Returns
    -------
    torch.nn.Module
        `module`.

    Raises
    ------
    ValueError
        For a meta-device parameter, an unknown scheme, a negative or non-finite
        `std`, or `residual_layers` < 1.
    TypeError
        For a parameter of a dtype other than float32, float64, float16, bfloat16.

    Warns
    -----
    RuntimeWarning
        For a module of an unknown type without ``reset_parameters()`` (scheme
        ``"torch"``): its parameters are left as they are.
    """
    g = Generator(seed)
    params = list(module.named_parameters())
    for name, t in params:
        if t.device.type == "meta":
            raise ValueError(
                f"parameter {name!r} is on the meta device and has no memory; call "
                f"module.to_empty(device='cpu') first, then init_module_"
            )
    if callable(scheme):
        for name, t in params:
            scheme(name, t, Generator(g.seed, next_stream=name))
        return module
    if scheme == "normal":
        rules = _normal_scheme(module, params, std, residual_layers, residual_patterns)
    elif scheme == "torch":
        rules = _torch_scheme(module, g.seed)
    else:
        raise ValueError(f"scheme must be 'torch', 'normal' or a callable, got {scheme!r}")
    for name, t in params:
        rule = rules.get(name)
        if rule is not None:
            _fill_parameter(rule, name, t, g)
    if buffers:
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._NormBase) and m.track_running_stats:
                if m.running_mean is not None and m.running_mean.device.type != "meta":
                    m.reset_running_stats()
    return module


def _qualified(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _torch_scheme(module: nn.Module, seed: int) -> dict[str, Rule]:
    """The rule of each parameter under each module type's default init; modules of
    unknown types are reset here, by their own ``reset_parameters()``, and get none."""
    rules: dict[str, Rule] = {}
    unknown: list[tuple[str, nn.Module]] = []
    for mname, m in reversed(list(module.named_modules())):  # children first: a parent's rule wins
        own = torch_default_rules(m)
        if own is None:
            unknown.append((mname, m))
        else:
            rules.update((_qualified(mname, n), rule) for n, rule in own.items())
    for mname, m in unknown:
        own_names = [_qualified(mname, pn) for pn, _ in m.named_parameters(recurse=False)]
        reset = getattr(m, "reset_parameters", None) or getattr(m, "_reset_parameters", None)
        if callable(reset):
            with patch(seed=stream_id(f"{seed}:{mname}")):
                reset()
        else:
            warnings.warn(
                f"init_module_: no default init known for {type(m).__name__} "
                f"(module {mname!r}); parameters {own_names} were left as they are",
                RuntimeWarning, stacklevel=3)
        for n in own_names:
            rules.pop(n, None)
    return rules


def _normal_scheme(module: nn.Module, params: list[tuple[str, Tensor]], std: float,
                   residual_layers: int | None,
                   residual_patterns: Sequence[str]) -> dict[str, Rule]:
    """N(0, std) weights (scaled down on residual projections), zero biases, and ones
    and zeros for the normalization layers."""
    s = float(std)
    if not (math.isfinite(s) and s >= 0):
        raise ValueError(f"std must be finite and >= 0, got {std}")
    norm_params = {_qualified(mname, pn) for mname, m in module.named_modules() if is_norm(m)
                   for pn, _ in m.named_parameters(recurse=False)}
    residual_std = s
    if residual_layers is not None:
        if residual_layers < 1:
            raise ValueError(f"residual_layers must be >= 1, got {residual_layers}")
        residual_std = s * (1.0 / math.sqrt(2.0 * residual_layers))
    rules: dict[str, Rule] = {}
    for name, _ in params:
        leaf = name.rsplit(".", 1)[-1]
        if name in norm_params:
            rules[name] = Constant(1.0 if leaf == "weight" else 0.0)
        elif "bias" in leaf:
            rules[name] = Constant(0.0)
        elif residual_layers is not None and any(
                fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase("." + name, pat)
                for pat in residual_patterns):
            rules[name] = normal(0.0, residual_std)
        else:
            rules[name] = normal(0.0, s)
    return rules


def _fill_parameter(rule: Rule, name: str, t: Tensor, g: Generator) -> None:
    stream = stream_id(name)
    if initfill_fills(t):
        rule.fill(t, g, stream)
        return
    if t.dtype not in FILLED_DTYPES:
        raise TypeError(f"parameter {name!r} has dtype {t.dtype}; init_module_ fills float32, "
                        f"float64, float16 and bfloat16 parameters")
    # A device tensor: fill a CPU twin (same values as on CPU) and copy it over.
    tmp = torch.empty(t.shape, dtype=t.dtype)
    rule.fill(tmp, g, stream)
    with torch.no_grad():
        t.copy_(tmp)
