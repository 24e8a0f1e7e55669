"""The init rules of :func:`initfill.torch.init_module_`: how one parameter is filled
(:class:`Constant`, :class:`Uniform`, :class:`Normal`), and the table of torch's
default init per module type (what each type's ``reset_parameters()`` draws)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from initfill import Generator
from initfill._fans import calculate_gain, torch_fans, xavier_std

_SQRT3 = math.sqrt(3.0)

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Constant:
    """Every element equals `value` (draws nothing)."""

    value: float

    def fill(self, tensor: Tensor, generator: Generator, stream: int,
             global_shape: Shape | None = None, offset: Shape | None = None) -> None:
        """Fill `tensor` in place; `generator`, `stream` and the block's place are
        not used."""
        with torch.no_grad():
            tensor.fill_(self.value)


@dataclass(frozen=True)
class Uniform:
    """U(`low`, `high`), with ``low < high``."""

    low: float
    high: float

    def fill(self, tensor: Tensor, generator: Generator, stream: int,
             global_shape: Shape | None = None, offset: Shape | None = None) -> None:
        """Fill `tensor` in place from `stream` of `generator`; with `global_shape`
        and `offset`, `tensor` is the block at `offset` of a parameter of shape
        `global_shape` and gets that block's values of the whole fill."""
        generator.uniform_(tensor, self.low, self.high, stream=stream,
                           global_shape=global_shape, offset=offset)


@dataclass(frozen=True)
class Normal:
    """N(`mean`, `std`**2), with ``std > 0``; then row `zero_row` (an embedding's
    padding row), if any, is set to zero."""

    mean: float
    std: float
    zero_row: int | None = None

    def fill(self, tensor: Tensor, generator: Generator, stream: int,
             global_shape: Shape | None = None, offset: Shape | None = None) -> None:
        """Fill `tensor` in place from `stream` of `generator` (a block of the
        whole parameter with `global_shape`/`offset`, as :meth:`Uniform.fill`); the
        zeroed row is zeroed where it falls inside the block."""
        generator.normal_(tensor, self.mean, self.std, stream=stream,
                          global_shape=global_shape, offset=offset)
        if self.zero_row is not None:
            row = self.zero_row - (offset[0] if offset else 0)
            if 0 <= row < tensor.shape[0]:
                with torch.no_grad():
                    tensor[row].fill_(0)


Rule = Constant | Uniform | Normal


def uniform(low: float, high: float) -> Rule:
    """U(low, high); a constant when the interval is one point (an empty fan)."""
    return Constant(low) if low == high else Uniform(low, high)


def normal(mean: float, std: float) -> Rule:
    """N(mean, std**2); a constant when ``std == 0``."""
    return Constant(mean) if std == 0 else Normal(mean, std)


def _xavier_uniform(t: Tensor) -> Rule:
    bound = _SQRT3 * xavier_std(*torch_fans(t.shape), 1.0)
    return Uniform(-bound, bound)


def _xavier_normal(t: Tensor) -> Rule:
    return Normal(0.0, xavier_std(*torch_fans(t.shape), 1.0))


def _fan_in_bound(w: Tensor) -> float:
    fan_in = torch_fans(w.shape)[0]
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0


# One function per module family: the rules of a module's own parameters (names
# relative to the module), from the module and ``{name: parameter}`` of its own.
RulesOf = Callable[[nn.Module, dict[str, Tensor]], dict[str, Rule]]


def _linear_or_conv(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    # kaiming_uniform_(weight, a=sqrt(5)): bound 1/sqrt(fan_in); bias U(+-1/sqrt(fan_in)).
    rules: dict[str, Rule] = {}
    w = own.get("weight")
    if w is not None and w.numel():
        gain = calculate_gain("leaky_relu", math.sqrt(5))
        bound = _SQRT3 * gain / math.sqrt(torch_fans(w.shape)[0])
        rules["weight"] = Uniform(-bound, bound)
    if own.get("bias") is not None and w is not None:
        b = _fan_in_bound(w)
        rules["bias"] = uniform(-b, b)
    return rules


def _embedding(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    return {"weight": Normal(0.0, 1.0, zero_row=mod.padding_idx)} if "weight" in own else {}


def _bilinear(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    bound = 1 / math.sqrt(mod.weight.size(1))
    return {name: uniform(-bound, bound) for name in own}


def _recurrent(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    stdv = 1.0 / math.sqrt(mod.hidden_size) if mod.hidden_size > 0 else 0
    return {name: uniform(-stdv, stdv) for name in own}


def _norm(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    return {name: Constant(1.0 if name == "weight" else 0.0) for name in own}


def _prelu(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    return {"weight": Constant(float(mod.init))}


def _attention(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
        if own.get(name) is not None:
            rules[name] = _xavier_uniform(own[name])
    if own.get("in_proj_bias") is not None:
        rules["in_proj_bias"] = Constant(0.0)
        if mod.out_proj.bias is not None:
            rules["out_proj.bias"] = Constant(0.0)
    for name in ("bias_k", "bias_v"):
        if own.get(name) is not None:
            rules[name] = _xavier_normal(own[name])
    return rules


def _transformer(mod: nn.Module, own: dict[str, Tensor]) -> dict[str, Rule]:
    # nn.Transformer re-initializes every matrix of its submodules.
    return {name: _xavier_uniform(t) for name, t in mod.named_parameters() if t.dim() > 1}


_NORM_TYPES = (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._NormBase,
               getattr(nn, "RMSNorm", nn.LayerNorm))


def is_norm(mod: nn.Module) -> bool:
    """A normalization layer: a torch norm type, or any class whose name has "norm"."""
    return isinstance(mod, _NORM_TYPES) or "norm" in type(mod).__name__.lower()


def _of_type(*types: type) -> Callable[[nn.Module, dict[str, Tensor]], bool]:
    return lambda mod, own: isinstance(mod, types)


@dataclass(frozen=True)
class ModuleDefault:
    """torch's default init of a family of modules: which modules (`matches`, given the
    module and its own parameters) and the rule of each own parameter (`rules`)."""

    matches: Callable[[nn.Module, dict[str, Tensor]], bool]
    rules: RulesOf


# First match wins.
TORCH_DEFAULTS: tuple[ModuleDefault, ...] = (
    ModuleDefault(_of_type(nn.Linear, nn.modules.conv._ConvNd), _linear_or_conv),
    ModuleDefault(_of_type(nn.Embedding, nn.EmbeddingBag), _embedding),
    ModuleDefault(_of_type(nn.Bilinear), _bilinear),
    ModuleDefault(_of_type(nn.modules.rnn.RNNBase, nn.modules.rnn.RNNCellBase), _recurrent),
    ModuleDefault(lambda mod, own: is_norm(mod) and set(own) <= {"weight", "bias"}, _norm),
    ModuleDefault(_of_type(nn.PReLU), _prelu),
    ModuleDefault(_of_type(nn.MultiheadAttention), _attention),
    ModuleDefault(_of_type(nn.Transformer), _transformer),
    ModuleDefault(lambda mod, own: not own, lambda mod, own: {}),
)


def torch_default_rules(mod: nn.Module) -> dict[str, Rule] | None:
    """The rules of `mod`'s own parameters under torch's defaults, as
    ``{name relative to mod: rule}``, or None for a module type without a known rule
    that has parameters of its own."""
    own = dict(mod.named_parameters(recurse=False))
    for default in TORCH_DEFAULTS:
        if default.matches(mod, own):
            return default.rules(mod, own)
    return None
