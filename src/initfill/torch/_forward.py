"""What :func:`activation_stats` and :func:`lsuv_` share: checking the model, the batch
and the layer types, running the model on the batch, and putting its buffers back."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from torch import Tensor, nn

#: The batch a forward takes: one tensor, or a tuple/list of them (positional arguments).
Batch = Tensor | tuple[Tensor, ...] | list[Tensor]


def check_model(model: Any, caller: str) -> nn.Module:
    """`model` itself; a TypeError if it is not a module, a ValueError if a parameter or
    buffer is on the meta device (it has no values to run on)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{caller}: model must be a torch.nn.Module, got {type(model).__name__}")
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        if t.device.type == "meta":
            raise ValueError(
                f"{caller}: model tensor {name!r} is on the meta device and has no values; "
                f"call model.to_empty(device='cpu') and initialize it first")
    return model


def check_batch(batch: Any, caller: str) -> tuple[Tensor, ...]:
    """The positional arguments of the forward: `batch`, or its items."""
    items = tuple(batch) if isinstance(batch, (tuple, list)) else (batch,)
    if not items:
        raise ValueError(f"{caller}: batch is empty; give a tensor or a tuple of tensors")
    for x in items:
        if not isinstance(x, Tensor):
            raise TypeError(f"{caller}: batch must be a torch.Tensor or a tuple of tensors, "
                            f"got {type(x).__name__}")
        if x.device.type == "meta":
            raise ValueError(f"{caller}: batch is on the meta device and has no values")
    return items


def check_layer_types(layers: Any, caller: str) -> tuple[type, ...]:
    """`layers` as a tuple of module classes (one class is accepted too)."""
    types = (layers,) if isinstance(layers, type) else layers
    if not isinstance(types, (tuple, list)) or not types or not all(
            isinstance(t, type) and issubclass(t, nn.Module) for t in types):
        raise TypeError(f"{caller}: layers must be a torch.nn.Module subclass or a non-empty "
                        f"tuple of them, got {layers!r}")
    return tuple(types)


def first_tensor(output: Any) -> Tensor | None:
    """The tensor a module returned, or the first tensor of a tuple/list it returned."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)):
        for o in output:
            if isinstance(o, Tensor):
                return o
    return None


@contextlib.contextmanager
def buffers_kept(model: nn.Module, cpu_seed: int | None = None) -> Iterator[None]:
    """Run the body, then put every buffer of `model` (BatchNorm running statistics and
    ``num_batches_tracked`` included) and torch's CPU random state back to what they
    were before it, even on error.  With `cpu_seed`, the body starts from that CPU
    seed (so that dropout masks, say, are reproducible)."""
    saved = [(b, b.detach().clone()) for b in model.buffers()]
    cpu_state = torch.random.get_rng_state()
    try:
        if cpu_seed is not None:
            torch.random.default_generator.manual_seed(cpu_seed)
        yield
    finally:
        torch.random.set_rng_state(cpu_state)
        with torch.no_grad():
            for b, old in saved:
                b.copy_(old)


class RecordSequence:
    """A result that is a sequence of its per-layer ``records`` (a tuple field of the
    frozen dataclass that inherits it): ``len``, iteration and indexing."""

    records: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.records)

    def __getitem__(self, i: int) -> Any:
        return self.records[i]
