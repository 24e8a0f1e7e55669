"""What fills each tensor of a random checkpoint, decided on a (meta-device) model
without materializing it: the values are those ``init_module_`` gives the
materialized model, found from the same decisions (:func:`torch_scheme_steps`,
:func:`normal_scheme_rules`).

A tensor's values come from one of three sources:

- :class:`RuleSource`: a table rule (``Constant``/``Uniform``/``Normal``) and the
  stream of the parameter's name: any block of it can be filled on its own;
- :class:`ValueSource`: a tensor that already holds the values (a buffer that is not
  on the meta device);
- :class:`GroupSource`: a module whose own init method (or a callable scheme) makes
  the values: that module alone is materialized, initialized exactly as
  ``init_module_`` does, and its tensors copied out (:class:`Group`).
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from initfill import Generator, stream_id

from ._materialize import _retie, tied_names
from ._module_init import RESIDUAL_PATTERNS, _qualified, check_options, distinct_parameters, \
    normal_scheme_rules, run_steps, torch_scheme_steps
from ._own_init import storage_key
from ._rules import Constant, Rule

_SENTINEL = 0xA5  # the byte a materialized buffer holds until an init method writes it


@dataclass(frozen=True)
class RuleSource:
    """Values from `rule` on stream ``stream_id(name)`` (block by block)."""

    rule: Rule
    stream: int


@dataclass(frozen=True)
class ValueSource:
    """Values copied from `tensor`."""

    tensor: Tensor


@dataclass(frozen=True)
class GroupSource:
    """Values from the materialized :class:`Group` `key`."""

    key: str


Source = RuleSource | ValueSource | GroupSource


@dataclass(frozen=True)
class PlannedTensor:
    """One tensor of the checkpoint: its name, the dtype and shape its values are
    made in, and where they come from."""

    name: str
    dtype: torch.dtype
    shape: tuple[int, ...]
    source: Source


@dataclass
class Group:
    """A part of the model materialized on its own: `make()` returns ``{name:
    tensor}`` for the names it answers for (only those it gave values)."""

    make: Callable[[], dict[str, Tensor]]
    names: list[str] = field(default_factory=list)
    #: The current values of its tensors that are not on the meta device, which
    #: ``init_module_`` leaves as they are when no init method writes them.
    current: dict[str, Tensor] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """The tensors of the checkpoint in state-dict order (tied aliases left out) and
    the groups that some of them come from."""

    tensors: tuple[PlannedTensor, ...]
    groups: dict[str, Group]


def _is_meta(t: Tensor) -> bool:
    return t.device.type == "meta"


def _first_names(module: nn.Module) -> dict[str, str]:
    """Every registration name of a parameter -> the name it is filled and written
    under (the first of its memory in ``named_parameters()`` order)."""
    first: dict[Any, str] = {}
    out: dict[str, str] = {}
    for name, p in module.named_parameters(remove_duplicate=False):
        out[name] = first.setdefault(id(p) if _is_meta(p) else storage_key(p), name)
    return out


def _under(name: str, root: str) -> bool:
    return root == "" or name == root or name.startswith(root + ".")


def _bytes_of(t: Tensor) -> Tensor:
    return t.detach().reshape(-1).view(torch.uint8)


def _root_group(module: nn.Module, root: str, seed: int, hook: str,
                first: Mapping[str, str],
                meta_buffers: set[str]) -> Callable[[], dict[str, Tensor]]:
    """The values the ``"torch"`` scheme gives the submodule `root` (an outermost
    module whose own init method runs): a copy of it materialized on the CPU, its
    steps run as ``init_module_`` runs them, its parameters and the buffers its
    init wrote returned under their qualified names."""
    def make() -> dict[str, Tensor]:
        sub = module.get_submodule(root)
        ties = tied_names(sub)
        twin = copy.deepcopy(sub)
        twin.to_empty(device="cpu")
        _retie(twin, ties)
        names = {}
        for rel, t in twin.named_parameters(remove_duplicate=False):
            names.setdefault(storage_key(t), first[_qualified(root, rel)])
        marked = {}
        for rel, b in twin.named_buffers(remove_duplicate=False):
            if _qualified(root, rel) in meta_buffers:
                _bytes_of(b).fill_(_SENTINEL)
                marked[_qualified(root, rel)] = b
        written = run_steps(torch_scheme_steps(twin, hook, prefix=root), names, Generator(seed))
        out = {}
        for rel, t in twin.named_parameters(remove_duplicate=False):
            q = _qualified(root, rel)
            if first[q] == q and q in written:
                out[q] = t.detach()
        for q, b in marked.items():
            if bool((_bytes_of(b) != _SENTINEL).any()):
                out[q] = b.detach()
        return out
    return make


def _callable_group(name: str, p: Tensor, seed: int,
                    scheme: Callable[[str, Tensor, Generator], Any]
                    ) -> Callable[[], dict[str, Tensor]]:
    def make() -> dict[str, Tensor]:
        t = nn.Parameter(torch.empty(p.shape, dtype=p.dtype), requires_grad=p.requires_grad)
        scheme(name, t, Generator(seed, next_stream=name))
        return {name: t.detach()}
    return make


def _torch_sources(module: nn.Module, seed: int, hook: str, first: Mapping[str, str],
                   meta_buffers: set[str], groups: dict[str, Group]) -> dict[str, Source]:
    """Each parameter's last writer under the ``"torch"`` scheme: a rule, or the
    outermost module with an init method whose subtree holds it."""
    steps = torch_scheme_steps(module, hook)
    roots: list[str] = []
    for step in reversed(steps):            # parents first
        if step.method is not None and not any(_under(step.module_name, r) for r in roots):
            roots.append(step.module_name)
    sources: dict[str, Source] = {}
    for step in steps:
        if step.method is not None:
            root = next(r for r in roots if _under(step.module_name, r))
            if root not in groups:
                groups[root] = Group(_root_group(module, root, seed, hook, first, meta_buffers))
            for rel, _ in step.module.named_parameters(remove_duplicate=False):
                sources[first[_qualified(step.module_name, rel)]] = GroupSource(root)
        else:
            for rel, rule in (step.rules or {}).items():
                q = _qualified(step.module_name, rel)
                if first.get(q) == q:
                    sources[q] = RuleSource(rule, stream_id(q))
    for root in roots:   # the buffers an init method may give values
        for q in meta_buffers:
            if _under(q, root) and q not in sources:
                sources[q] = GroupSource(root)
    return sources


def _batch_norm_sources(module: nn.Module) -> dict[str, Source]:
    """The running statistics ``init_module_(buffers=True)`` resets."""
    out: dict[str, Source] = {}
    for mname, m in module.named_modules():
        if isinstance(m, nn.modules.batchnorm._NormBase) and m.track_running_stats \
                and m.running_mean is not None:
            for rel, value in (("running_mean", 0.0), ("running_var", 1.0),
                               ("num_batches_tracked", 0)):
                if getattr(m, rel, None) is not None:
                    out[_qualified(mname, rel)] = RuleSource(Constant(value), 0)
    return out


def plan_checkpoint(module: nn.Module, seed: int, scheme: Any, *, std: float = 0.02,
                    residual_layers: int | None = None,
                    residual_patterns: Any = RESIDUAL_PATTERNS, buffers: bool = True,
                    hook: str = "reset_parameters") -> Plan:
    """Where each tensor of ``module.state_dict()`` gets the values
    ``init_module_(materialized module, seed, scheme, ...)`` gives it."""
    check_options(seed, scheme, hook)
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    first = _first_names(module)
    params = dict(module.named_parameters(remove_duplicate=False))
    state = module.state_dict(keep_vars=True)
    meta_buffers = {k for k, v in state.items()
                    if k not in params and isinstance(v, Tensor) and _is_meta(v)}
    groups: dict[str, Group] = {}
    if callable(scheme):
        sources: dict[str, Source] = {}
        for name, p in distinct_parameters(module):
            groups[name] = Group(_callable_group(name, p, seed, scheme))
            sources[name] = GroupSource(name)
    elif scheme == "normal":
        rules = normal_scheme_rules(module, distinct_parameters(module), std,
                                    residual_layers, residual_patterns)
        sources = {name: RuleSource(rule, stream_id(name)) for name, rule in rules.items()}
    else:
        sources = _torch_sources(module, seed, hook, first, meta_buffers, groups)
    if buffers:
        sources.update(_batch_norm_sources(module))
    planned = []
    seen_buffers: dict[int, str] = {}
    for name, t in state.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"state dict entry {name!r} is a {type(t).__name__}, not a tensor; "
                            f"safetensors stores tensors only")
        if name in params:
            if first[name] != name:
                continue                     # a tied alias: written once, under its first name
        elif id(t) in seen_buffers:
            continue
        else:
            seen_buffers[id(t)] = name
        source = sources.get(name)
        if source is None:
            if _is_meta(t):
                what = "parameter" if name in params else "persistent buffer"
                raise ValueError(
                    f"{what} {name!r} is on the meta device and nothing gives it values "
                    f"(no rule or init method of scheme {scheme!r} writes it); give it "
                    f"values, make it non-persistent, or leave it out of the model")
            source = ValueSource(t.detach())
        if isinstance(source, GroupSource):
            groups[source.key].names.append(name)
            if not _is_meta(t):
                groups[source.key].current[name] = t.detach()
        planned.append(PlannedTensor(name, t.dtype, tuple(t.shape), source))
    return Plan(tuple(planned), groups)
