"""``init_module_``: re-initialize a whole model in place, each parameter from
``(seed, stream_id(its qualified name))``."""
from __future__ import annotations

import fnmatch
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from initfill import Generator, stream_id
from initfill._generator import check_seed

from ._dispatch import FILLED_DTYPES, initfill_fills
from ._dtensor import fill_parameter_blocks, is_dtensor, is_memoryless_wrapper, \
    unwrapped_class
from ._own_init import StorageKey, hook_owner, own_hook_of, run_own_init, storage_key, \
    torch_reset_of
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
    hook: str = "reset_parameters",
) -> nn.Module:
    """Re-initialize every parameter of `module` in place, reproducibly.

    Each parameter is filled from ``(seed, stream_id(qualified_name))``: its values
    depend only on the seed, its name, shape and dtype, not on construction order,
    on which other parameters exist, on threads or on the device.  Parameters that
    share memory (tied weights, the same Parameter under two names, or two
    Parameters over one storage) are filled once, under the name that comes first
    in ``module.named_parameters()``.  For a model built on the meta device use
    :func:`materialize_`, which also keeps its tied weights tied.

    Parameters
    ----------
    module : torch.nn.Module
        The model.  Parameters must not be on the meta device.  DTensor parameters
        (FSDP2's ``fully_shard``, tensor parallelism) are filled shard by shard: each
        rank writes only its local shard, with exactly its slice of the
        single-process values (fans from the global shape).
    seed : int
        Seed in ``[0, 2**64)``.
    scheme : {"torch", "normal"} or callable
        ``"torch"``: each module's own default init, module by module, children
        before parents (so a parent's init of its children wins):

        1. a module whose class -- or any class of its MRO below the torch class it
           derives from -- defines the method named by `hook`
           (``reset_parameters``) gets that method: it runs inside :func:`patch`
           under ``no_grad``, and every fill of a whole parameter, wherever the
           method makes it, is keyed by that parameter's qualified name (so the
           result does not depend on the order of the fills); draws of torch's own
           (``p.data.normal_()``) come from torch's generator forked and seeded
           from `seed` and the module's name.  A method taking one argument (e.g.
           ``_init_weights(module)``, with ``hook="_init_weights"``) is applied to
           the module and every submodule.  An own ``reset_parameters`` counts
           too when `hook` names another method;
        2. an instance of exactly a torch class of the table
           (``nn.Linear``, ``nn.Conv*``, ``nn.Embedding``/``EmbeddingBag``,
           ``nn.Bilinear``, ``nn.RNN``/``LSTM``/``GRU`` and their cells,
           ``nn.LayerNorm``/``RMSNorm``/``GroupNorm``/``BatchNorm*``/
           ``InstanceNorm*``, ``nn.PReLU``, ``nn.MultiheadAttention``,
           ``nn.Transformer``) gets the table's rule, one fill per parameter, as
           that class's ``reset_parameters()`` draws it (Linear and Conv
           ``kaiming_uniform_(a=sqrt(5))`` weights and U(±1/sqrt(fan_in)) biases,
           Embedding N(0, 1) with the padding row zeroed, norms ones and zeros,
           recurrent U(±1/sqrt(hidden)), ...);
        3. any other module with torch's own ``reset_parameters`` (a subclass of a
           torch class that does not override it, or a torch class outside the
           table) gets that method, run as in 1;
        4. a module of a class without any init method whose name contains "norm"
           and whose own parameters are only ``weight``/``bias`` gets ones and zeros.

        A parameter that none of these writes is left as it is, with a
        RuntimeWarning naming it.
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
    hook : str
        The name of the init method of rule 1 of the ``"torch"`` scheme:
        ``"reset_parameters"`` (default), ``"_init_weights"``, ``"init_weights"``, ...

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
        For a parameter of a dtype other than float32, float64, float16, bfloat16,
        a parameter that is a tensor subclass without memory of its own other than
        a DTensor (e.g. a FakeTensor), or a `hook` that is not a str.

    Warns
    -----
    RuntimeWarning
        Scheme ``"torch"``: for the parameters that no rule and no init method
        wrote; they are left as they are.
    """
    check_options(seed, scheme, hook)
    g = Generator(seed)
    params = distinct_parameters(module)
    for name, t in params:
        if t.device.type == "meta":
            raise ValueError(
                f"parameter {name!r} is on the meta device and has no memory; use "
                f"initfill.torch.materialize_(module, device='cpu', seed=...) (or "
                f"module.to_empty(device='cpu') first, then init_module_)"
            )
    if callable(scheme):
        for name, t in params:
            scheme(name, t, Generator(g.seed, next_stream=name))
    elif scheme == "normal":
        rules = normal_scheme_rules(module, params, std, residual_layers, residual_patterns)
        for name, t in params:
            _fill_parameter(rules[name], name, t, g)
    elif scheme == "torch":
        _torch_scheme(module, params, g, hook)
    else:
        raise ValueError(f"scheme must be 'torch', 'normal' or a callable, got {scheme!r}")
    if buffers:
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._NormBase) and m.track_running_stats:
                if m.running_mean is not None and m.running_mean.device.type != "meta":
                    m.reset_running_stats()
    return module


def check_options(seed: Any, scheme: Any, hook: Any) -> None:
    """The checks of :func:`init_module_`'s arguments that need no parameter (so
    :func:`materialize_` makes them before allocating anything)."""
    check_seed(seed)
    if not (callable(scheme) or scheme in ("torch", "normal")):
        raise ValueError(f"scheme must be 'torch', 'normal' or a callable, got {scheme!r}")
    if not isinstance(hook, str):
        raise TypeError(f"hook must be the name of a method (a str), got {type(hook).__name__}")


def distinct_parameters(module: nn.Module) -> list[tuple[str, Tensor]]:
    """``module.named_parameters()`` without the parameters whose memory an earlier
    one already covers (the same storage, offset, shape and strides)."""
    seen: set[StorageKey] = set()
    out: list[tuple[str, Tensor]] = []
    for name, t in module.named_parameters():
        if is_memoryless_wrapper(t) and not is_dtensor(t):
            raise TypeError(
                f"parameter {name!r} is a {type(t).__name__}, a tensor subclass without "
                f"memory of its own: init_module_ fills plain tensors and DTensors; "
                f"initialize the tensors it wraps, or use torch.nn.init for it")
        if t.device.type != "meta":
            key = storage_key(t)
            if key in seen:
                continue
            seen.add(key)
        out.append((name, t))
    return out


def _qualified(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


@dataclass(frozen=True)
class Step:
    """One module's part of the ``"torch"`` scheme: its own init `method`, or the
    `rules` of parameters relative to it (``{}``: it writes nothing)."""

    module_name: str
    module: nn.Module
    method: Callable[..., Any] | None = None
    rules: dict[str, Rule] | None = None


def torch_scheme_steps(module: nn.Module, hook: str, prefix: str = "") -> list[Step]:
    """What the ``"torch"`` scheme does to `module`, module by module, children
    first (see :func:`init_module_`): the one decision of which rule or init method
    fills each module's parameters.  Module names get `prefix` in front (the
    qualified name of `module` in a bigger model).  Decided from types, names and
    shapes only, so it works on the meta device too."""
    steps = []
    for mname, m in reversed(list(module.named_modules(prefix=prefix))):  # children first
        method = own_hook_of(m, hook) or own_hook_of(m, "reset_parameters")
        rules = None
        if method is None and _is_exact_torch_class(m):
            rules = torch_default_rules(m)
        if method is None and rules is None:
            method = torch_reset_of(m)
        if method is None and rules is None and hook_owner(type(m), hook) is None:
            own = dict(m.named_parameters(recurse=False))
            if own and is_norm(m) and set(own) <= {"weight", "bias"}:
                rules = {n: Constant(1.0 if n == "weight" else 0.0) for n in own}
        if method is not None or rules:
            steps.append(Step(mname, m, method, None if method is not None else rules))
    return steps


def run_steps(steps: Sequence[Step], names: Mapping[StorageKey, str],
              g: Generator) -> set[str]:
    """Run `steps` (of :func:`torch_scheme_steps`) in order on materialized
    modules; `names` maps each parameter's memory to the qualified name it is
    filled under.  Returns the names of the parameters the steps answer for."""
    written: set[str] = set()
    for step in steps:
        m = step.module
        if step.method is not None:
            # A module's init method answers for its own parameters (it may write
            # them through .data, which no version counter sees).
            written |= run_own_init(m, step.module_name, step.method, g.seed, names)
            written.update(names.get(storage_key(t), "") for t in m.parameters(recurse=False))
        else:
            for rel, rule in (step.rules or {}).items():
                t = m.get_parameter(rel)
                name = names.get(storage_key(t))
                if name == _qualified(step.module_name, rel):  # a tied alias: by its first name
                    _fill_parameter(rule, name, t, g)
                    written.add(name)
    return written


def _torch_scheme(module: nn.Module, params: list[tuple[str, Tensor]], g: Generator,
                  hook: str) -> None:
    """The ``"torch"`` scheme: :func:`torch_scheme_steps` run in order; then the
    warning for what nobody wrote."""
    names = {storage_key(t): name for name, t in params}
    versions = {name: t._version for name, t in params}
    written = run_steps(torch_scheme_steps(module, hook), names, g)
    left = [name for name, t in params if name not in written and t._version == versions[name]]
    if left:
        warnings.warn(
            f"init_module_: no rule and no init method wrote the parameters {left}; "
            f"they were left as they are", RuntimeWarning, stacklevel=3)


def _is_exact_torch_class(m: nn.Module) -> bool:
    # (fully_shard's FSDP<Name> class is the module's own class)
    return unwrapped_class(m).__module__.split(".", 1)[0] == "torch"


def normal_scheme_rules(module: nn.Module, params: list[tuple[str, Tensor]], std: float,
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
    if is_dtensor(t) and t.dtype in FILLED_DTYPES:  # each rank its shard's blocks
        fill_parameter_blocks(rule, t, g, stream)
        return
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
