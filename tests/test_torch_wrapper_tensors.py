"""Tensor subclasses without memory of their own (``__torch_dispatch__`` wrappers such
as FakeTensor) that initfill cannot fill: the drop-ins hand them to torch (the
wrapper's own dispatch answers), the Generator's fills and ``init_module_`` raise an
error of an exact type that says what to do, before anything is written.  (DTensors,
which initfill fills, are tests/test_torch_distributed_dtensor.py.)"""
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
from torch import nn  # noqa: E402

import initfill  # noqa: E402
import initfill.torch as it  # noqa: E402


class Handed(Exception):
    """Raised by the wrapper's dispatch: the call reached torch."""


class Wrapper(torch.Tensor):
    @staticmethod
    def __new__(cls, elem):
        return torch.Tensor._make_wrapper_subclass(cls, elem.shape, dtype=elem.dtype)

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        raise Handed(str(func))


@pytest.mark.parametrize("fill", [
    lambda t: it.normal_(t, generator=initfill.Generator(0)),
    lambda t: it.uniform_(t, -1, 1),
    lambda t: it.trunc_normal_(t),
    lambda t: it.kaiming_uniform_(t, generator=initfill.Generator(0)),
    lambda t: it.xavier_normal_(t),
])
def test_dropins_hand_a_wrapper_to_torch(fill):
    with pytest.raises(Handed):
        fill(Wrapper(torch.zeros(4, 3)))


def test_dropins_under_patch_hand_a_wrapper_to_torch():
    with it.patch(seed=0), pytest.raises(Handed):
        nn.init.normal_(Wrapper(torch.zeros(4, 3)))


def test_generator_refuses_a_wrapper_naming_what_to_do():
    g = initfill.Generator(0)
    with pytest.raises(ValueError, match=r"NULL.*local tensor.*initfill\.torch"):
        g.normal_(Wrapper(torch.zeros(4)))
    assert g.next_stream == 0


def test_init_module_names_a_wrapper_parameter():
    m = nn.Linear(3, 4)
    m._parameters["weight"] = Wrapper(torch.zeros(4, 3))  # as a wrapping library would
    before = m.bias.detach().clone()
    with pytest.raises(TypeError, match=r"parameter 'weight' is a Wrapper.*DTensors"):
        it.init_module_(m, seed=0)
    assert torch.equal(m.bias.detach(), before)
