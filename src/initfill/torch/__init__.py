"""``initfill.torch``: a drop-in for ``torch.nn.init`` on CPU tensors, ``patch()``, and
whole-model initialization (:func:`init_module_`).

Every function of ``torch.nn.init`` is here with the same signature, defaults, return
value, gain table, fan rules, warnings and errors.  On CPU tensors of float32, float64,
float16 and bfloat16 the random ones fill in place with initfill's threaded,
counter-based kernels; their values follow the same distributions as torch's (in
law, not bit for bit).  Everything else is handed to ``torch.nn.init`` unchanged:

- tensors that are not on the CPU (CUDA, meta, ...), other dtypes and layouts, tensor
  subclasses that override ``__torch_function__``;
- arguments initfill does not sample from (non-finite or non-real parameters,
  ``a > b``, ``std < 0``, values that overflow a half type), so that the result or
  the error is torch's own.

The functions without randomness (``constant_``, ``ones_``, ``zeros_``, ``eye_``,
``dirac_`` and their deprecated aliases) are torch's own objects.

Generators
----------
``generator=`` takes an :class:`initfill.Generator` (its next stream is used).  A
``torch.Generator`` is accepted too: one 63-bit integer is drawn from it (so it
advances exactly as after one ``random_()`` of a single element) and seeds an
initfill Generator whose stream 0 fills the tensor; the same torch seed therefore
gives the same values.  Without ``generator=`` the generator of the innermost seeded
:func:`patch` is used, else torch's default generator, drawn from as an explicit
``torch.Generator`` is: ``torch.manual_seed(42)`` then a fill equals the fill with
``generator=torch.Generator().manual_seed(42)`` (:func:`initfill.manual_seed` does not
affect initfill.torch).

Modules
-------
``_dropin`` (uniform, normal, truncated normal, Xavier, Kaiming), ``_structural``
(constants, eye, dirac, orthogonal, sparse), ``_deprecated`` (the old aliases),
``_dispatch`` (what initfill fills, what goes to torch, which generator),
``_patch`` (:func:`patch`), ``_rules``, ``_own_init`` and ``_module_init``
(:func:`init_module_`), ``_materialize`` (:func:`materialize_`),
``_activation_stats`` (:func:`activation_stats`), ``_lsuv`` (:func:`lsuv_`) and
``_forward`` (what those two share); ``_checkpoint`` (:func:`save_random`) with
``_checkpoint_plan``, ``_checkpoint_write``, ``_safetensors_layout`` and ``_progress``.

This package imports torch; ``import initfill`` does not.
"""
from ._activation_stats import ActivationStats, LayerStats, activation_stats
from ._checkpoint import save_random
from ._deprecated import (
    constant,
    dirac,
    eye,
    kaiming_normal,
    kaiming_uniform,
    normal,
    orthogonal,
    sparse,
    uniform,
    xavier_normal,
    xavier_uniform,
)
from ._dispatch import generator_from_torch
from ._dropin import (
    calculate_gain,
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    trunc_normal_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
)
from ._lsuv import LSUVLayer, LSUVResult, lsuv_
from ._materialize import materialize_
from ._module_init import RESIDUAL_PATTERNS, init_module_  # noqa: F401  (the default of init_module_)
from ._patch import patch
from ._structural import constant_, dirac_, eye_, ones_, orthogonal_, sparse_, zeros_

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
    "patch",
    "init_module_",
    "materialize_",
    "save_random",
    "generator_from_torch",
    "activation_stats",
    "lsuv_",
    "ActivationStats",
    "LayerStats",
    "LSUVResult",
    "LSUVLayer",
]

# Public functions show as initfill.torch's (help(), reprs, pickling), not as their
# private module's; torch's own functions and initfill's shared ones keep theirs.
for _obj in map(globals().get, __all__):
    if _obj.__module__.startswith(__name__ + "."):
        _obj.__module__ = __name__
del _obj
