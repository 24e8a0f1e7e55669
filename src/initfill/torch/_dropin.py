"""The random ``torch.nn.init`` drop-ins: uniform, normal, truncated normal, and the
Xavier and Kaiming scalings of the first two."""
from __future__ import annotations

import math
import warnings

import torch
from torch import Tensor

from initfill import Generator
from initfill._fans import calculate_gain, kaiming_mode, torch_fans, xavier_std

from ._dispatch import AnyGenerator, TORCH_INIT, fill_or_hand_over, initfill_fills, \
    torch_generator

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_UNIFORM = Generator.uniform_
_NORMAL = Generator.normal_
_TRUNC_NORMAL = Generator.trunc_normal_
_SQRT3 = math.sqrt(3.0)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with values drawn from the uniform distribution U(a, b).

    Values lie in ``[a, b)`` after rounding to the tensor's dtype for ``a < b``;
    ``a == b`` fills `a`, as torch does.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, filled in place.
    a, b : float
        The lower and upper bound.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness (see :mod:`initfill.torch`).

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    if initfill_fills(tensor):
        return fill_or_hand_over(_UNIFORM, tensor, (a, b), generator, TORCH_INIT["uniform_"])
    return TORCH_INIT["uniform_"](tensor, a, b, generator=torch_generator(tensor, generator))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with values drawn from the normal distribution N(mean, std**2).

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, filled in place.
    mean, std : float
        Mean and standard deviation.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.
    """
    if initfill_fills(tensor):
        return fill_or_hand_over(_NORMAL, tensor, (mean, std), generator, TORCH_INIT["normal_"])
    return TORCH_INIT["normal_"](tensor, mean, std, generator=torch_generator(tensor, generator))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with values drawn from a truncated normal distribution.

    N(mean, std**2) restricted to the absolute bounds ``[a, b]``, sampled without
    rejection (inverse CDF); no value lies outside ``[a, b]`` after rounding to the
    tensor's dtype (torch's own sampler may round a bfloat16 value past a bound).
    As torch, warns when `mean` is more than 2 std from ``[a, b]``.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, filled in place.
    mean, std : float
        Parameters of the parent normal.
    a, b : float
        The minimum and maximum cutoff values.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        When no value of the tensor's dtype lies in ``[a, b]``.
    """
    if not initfill_fills(tensor):
        return TORCH_INIT["trunc_normal_"](tensor, mean, std, a, b,
                                           generator=torch_generator(tensor, generator))
    # torch's first steps, so that its warning and its ZeroDivisionError (std == 0)
    # come as there, before anything else.
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    _ = (b - mean) / std
    # Bounds between which no value of a half type lies are initfill's ValueError;
    # what float64 refuses (NaN, std <= 0, a >= b, ...) is torch's to answer.
    return fill_or_hand_over(_TRUNC_NORMAL, tensor, (mean, std, a, b), generator,
                             TORCH_INIT["trunc_normal_"], judged_in=torch.float64)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with a Xavier (Glorot) uniform distribution.

    U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``; Glorot & Bengio (2010).
    Fans from ``(out, in, *kernel)``.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    gain : float
        An optional scaling factor.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        For a tensor with fewer than 2 dimensions.
    """
    bound = _SQRT3 * xavier_std(*torch_fans(tensor.shape), gain)
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with a Xavier (Glorot) normal distribution.

    N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``, untruncated.

    Parameters
    ----------
    tensor, gain, generator
        See :func:`xavier_uniform_`.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        As :func:`xavier_uniform_`.
    """
    return normal_(tensor, 0.0, xavier_std(*torch_fans(tensor.shape), gain), generator)


def kaiming_std_of_shape(shape: tuple[int, ...], a: float, mode: str,
                         nonlinearity: str) -> float:
    """He et al. (2015): ``calculate_gain(nonlinearity, a) / sqrt(fan)`` of a torch
    weight shape ``(out, in, *kernel)``, with `mode` checked before the fans as torch
    checks it."""
    mode = kaiming_mode(mode)
    fan_in, fan_out = torch_fans(shape)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with a Kaiming (He) uniform distribution.

    U(-bound, bound) with ``bound = gain * sqrt(3 / fan_mode)``; He et al. (2015).
    ``nn.Linear`` and ``nn.Conv*`` use ``a = sqrt(5)``.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    a : float
        Negative slope of the rectifier used after this layer (``leaky_relu`` only).
    mode : {"fan_in", "fan_out"}
        Which fan preserves the variance.
    nonlinearity : str
        The non-linear function (``nn.functional`` name).
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        For an unknown `mode` or `nonlinearity`, or a tensor with fewer than 2
        dimensions.

    Warns
    -----
    UserWarning
        On a zero-element tensor, which is left as it is.
    """
    return _kaiming(True, tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with a Kaiming (He) normal distribution.

    N(0, std**2) with ``std = gain / sqrt(fan_mode)``, untruncated.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    a, mode, nonlinearity
        See :func:`kaiming_uniform_`.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        As :func:`kaiming_uniform_`.

    Warns
    -----
    UserWarning
        On a zero-element tensor, which is left as it is.
    """
    return _kaiming(False, tensor, a, mode, nonlinearity, generator)


def _kaiming(uniform: bool, tensor: Tensor, a: float, mode: str, nonlinearity: str,
             generator: AnyGenerator) -> Tensor:
    """kaiming_uniform_ (`uniform`) or kaiming_normal_, in torch's order of checks."""
    if not initfill_fills(tensor):
        torch_kaiming = TORCH_INIT["kaiming_uniform_" if uniform else "kaiming_normal_"]
        return torch_kaiming(tensor, a, mode, nonlinearity,
                             generator=torch_generator(tensor, generator))
    shape = tensor.shape
    if 0 in shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return tensor
    std = kaiming_std_of_shape(shape, a, mode, nonlinearity)
    if uniform:
        bound = _SQRT3 * std
        return fill_or_hand_over(_UNIFORM, tensor, (-bound, bound), generator,
                                 TORCH_INIT["uniform_"])
    return fill_or_hand_over(_NORMAL, tensor, (0, std), generator, TORCH_INIT["normal_"])
