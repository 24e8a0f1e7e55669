"""Keras-style initializer objects, filled by initfill's kernels.

The classes have the names, arguments, defaults and ``get_config`` keys of
``keras.initializers`` (Keras 3), and follow its behaviour:

- ``init(shape, dtype="float32")`` returns a new NumPy array;
  ``init.fill_(x)`` fills an existing buffer in place with the same values that
  ``init(x.shape, x.dtype)`` returns.
- A seeded initializer returns the same values on every call (Keras 3 semantics):
  its values are those of ``initfill.Generator(seed)`` on stream 0, so
  ``RandomNormal(stddev=0.02, seed=7)((4, 4))`` equals
  ``initfill.Generator(7).normal_(np.empty((4, 4), np.float32), std=0.02, stream=0)``.
  With ``seed=None`` a seed is drawn once, at construction, from the next stream of
  initfill's default generator (see :func:`initfill.manual_seed`), and every call
  returns the values of that seed, as in Keras 3.
- Fans follow the Keras layout ``(*kernel, in, out)``: a Dense kernel is
  ``(in, out)``, a Conv2D kernel ``(kh, kw, in, out)``.  The variance-scaling classes
  take a keyword-only ``layout=`` (``"keras"``, ``"torch"`` or ``"jax"``; see
  :func:`initfill.compute_fans`) for the other conventions.
- "Normal" variance-scaling initializers are truncated at two standard deviations,
  with the standard deviation divided by 0.87962566103423978 so the variance is as
  asked, as in Keras.

Outputs are float32, float64, float16 or bfloat16 (``ml_dtypes.bfloat16`` arrays,
torch bfloat16 tensors in ``fill_``); the variance-scaling classes take Keras 3.15's
``input_axes``/``output_axes``.

Examples
--------
>>> import numpy as np
>>> from initfill import initializers
>>> init = initializers.get("he_normal")
>>> w = init((784, 256))                      # fan_in = 784
>>> seeded = initializers.GlorotUniform(seed=1)
>>> bool((seeded((3, 5)) == seeded((3, 5))).all())
True
>>> buf = np.empty((3, 5), np.float32)
>>> bool((seeded.fill_(buf) == seeded((3, 5))).all())
True
"""
from __future__ import annotations

from ._base import Constant, Initializer, Ones, Zeros
from ._lookup import deserialize, get, serialize
from ._matrices import Identity, Orthogonal
from ._random import (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal,
                      LecunUniform, RandomNormal, RandomUniform, TruncatedNormal,
                      VarianceScaling)

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "deserialize",
    "get",
    "serialize",
]
