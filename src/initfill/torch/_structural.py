"""The structural ``torch.nn.init`` functions: constants, identities and Dirac deltas
(torch's own, which draw nothing), and the orthogonal and sparse matrices (drawn by
initfill)."""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from initfill import Generator

from ._dispatch import AnyGenerator, TORCH_INIT, fill_or_hand_over, initfill_fills, \
    initfill_generator, torch_generator

__all__ = ["constant_", "ones_", "zeros_", "eye_", "dirac_", "orthogonal_", "sparse_"]

# Without randomness initfill has nothing to add: these are torch's own functions.
constant_ = TORCH_INIT["constant_"]
ones_ = TORCH_INIT["ones_"]
zeros_ = TORCH_INIT["zeros_"]
eye_ = TORCH_INIT["eye_"]
dirac_ = TORCH_INIT["dirac_"]


def orthogonal_(tensor: Tensor, gain: float = 1,
                generator: AnyGenerator = None) -> Tensor:
    """Fill the input Tensor with a (semi) orthogonal matrix; Saxe et al. (2013).

    The Q factor of the QR decomposition of a standard normal matrix (drawn by
    initfill), with the signs of R's diagonal folded in (Mezzadri 2007), times
    `gain`; trailing dimensions are flattened.

    Parameters
    ----------
    tensor : torch.Tensor
        An n-dimensional tensor, n >= 2.
    gain : float
        Optional scaling factor.
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
    if not initfill_fills(tensor):
        return TORCH_INIT["orthogonal_"](tensor, gain, generator=torch_generator(tensor, generator))
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = tensor.new_empty((rows, cols))
    initfill_generator(generator).normal_(flattened, 0.0, 1.0)
    if rows < cols:
        flattened.t_()
    q, r = torch.linalg.qr(flattened)
    q *= torch.diag(r, 0).sign()
    if rows < cols:
        q.t_()
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01,
            generator: AnyGenerator = None) -> Tensor:
    """Fill the 2-D input Tensor as a sparse matrix; Martens (2010).

    Non-zero elements from N(0, std**2); in each column ``ceil(sparsity * rows)``
    elements, chosen uniformly at random (by initfill, so reproducibly), are zero.

    Parameters
    ----------
    tensor : torch.Tensor
        A 2-dimensional tensor.
    sparsity : float
        The fraction of elements in each column to be set to zero.
    std : float
        Standard deviation of the non-zero values.
    generator : initfill.Generator or torch.Generator, optional
        Source of randomness.

    Returns
    -------
    torch.Tensor
        `tensor`.

    Raises
    ------
    ValueError
        For a tensor that is not 2-dimensional.
    """
    if not initfill_fills(tensor):
        return TORCH_INIT["sparse_"](tensor, sparsity, std,
                                     generator=torch_generator(tensor, generator))
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    g = initfill_generator(generator)
    fill_or_hand_over(Generator.normal_, tensor, (0, std), g, TORCH_INIT["normal_"])
    if num_zeros > 0 and cols > 0:
        keys = g.bits_(np.empty((cols, rows), np.uint64))
        zero_rows = np.argsort(keys, axis=1, kind="stable")[:, :num_zeros]
        col_idx = np.broadcast_to(np.arange(cols)[:, None], zero_rows.shape)
        with torch.no_grad():
            tensor[torch.from_numpy(zero_rows.reshape(-1)),
                   torch.from_numpy(np.ascontiguousarray(col_idx).reshape(-1))] = 0
    return tensor
