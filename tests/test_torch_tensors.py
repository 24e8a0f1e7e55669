"""CPU torch tensors and DLPack objects filled in place by the Generator: the same bits
as NumPy, views and parameters written in place, and the errors for what it cannot fill."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")

import initfill  # noqa: E402

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


def bits_np(t):
    """The raw element bits as a NumPy array (bfloat16/float16 as uint16)."""
    if t.dtype in (torch.bfloat16, torch.float16):
        return t.contiguous().view(torch.int16).numpy().view(np.uint16)
    return t.contiguous().numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dist", ["uniform_", "normal_", "trunc_normal_"])
def test_torch_equals_numpy_bit_for_bit(dtype, dist):
    g = initfill.Generator(21)
    t = torch.empty(37, 129, dtype=dtype)
    getattr(g, dist)(t, stream=4)
    if dtype == torch.bfloat16:
        ref = getattr(g, dist)(np.empty((37, 129), np.uint16), stream=4, dtype="bfloat16")
    else:
        npdt = {torch.float32: np.float32, torch.float64: np.float64, torch.float16: np.float16}[dtype]
        ref = getattr(g, dist)(np.empty((37, 129), npdt), stream=4)
        ref = ref.view(np.uint16) if dtype == torch.float16 else ref
    assert np.array_equal(bits_np(t), ref)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_views_in_place(dtype):
    g = initfill.Generator(2)
    base = torch.zeros(64, 48, dtype=dtype)
    view = base.t()[::3, 1::2]  # transposed, stepped
    ptr = view.data_ptr()
    out = g.normal_(view, stream=9)
    assert out is view and view.data_ptr() == ptr
    ref = torch.empty(view.shape, dtype=dtype)
    g.normal_(ref, stream=9)
    assert torch.equal(view, ref)
    mask = torch.zeros_like(base, dtype=torch.bool)
    mask.t()[::3, 1::2] = True
    assert (base[~mask] == 0).all()


def test_parameter_requires_grad_and_version_bump():
    p = torch.nn.Parameter(torch.empty(10, 10))
    v = p._version
    initfill.Generator(0).uniform_(p)
    assert p._version > v and p.requires_grad


def test_device_and_layout_errors_say_what_to_do():
    g = initfill.Generator(0)
    with pytest.raises(TypeError, match="to_empty"):
        g.normal_(torch.empty(3, device="meta"))
    with pytest.raises(TypeError, match="int64"):
        g.normal_(torch.empty(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="share memory"):
        g.normal_(torch.empty(1, 5).expand(4, 5))
    with pytest.raises(TypeError, match="does not match"):
        g.normal_(torch.empty(3), dtype="bfloat16")


def test_zero_size_tensor():
    t = torch.empty(0, 7, dtype=torch.bfloat16)
    assert initfill.Generator(0).normal_(t) is t


class DLWrap:
    """A minimal foreign DLPack producer around a tensor/array (no other protocol)."""

    def __init__(self, x, device=(1, 0), legacy=False):
        self.x, self.device, self.legacy = x, device, legacy

    def __dlpack_device__(self):
        return self.device

    def __dlpack__(self, **kw):
        if self.legacy:
            if kw:
                raise TypeError("legacy producer")
            return self.x.__dlpack__()
        return self.x.__dlpack__(**kw)


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_objects(dtype, legacy):
    g = initfill.Generator(4)
    t = torch.zeros(20, 30, dtype=dtype)[:, ::2]
    g.uniform_(DLWrap(t, legacy=legacy), stream=1)
    ref = torch.empty(20, 15, dtype=dtype)
    g.uniform_(ref, stream=1)
    assert torch.equal(t, ref)


def test_dlpack_read_only_and_device_errors():
    a = np.zeros(8, np.float32)
    a.flags.writeable = False
    with pytest.raises((ValueError, BufferError)):
        initfill.Generator(0).normal_(DLWrap(a))
    with pytest.raises(TypeError, match="CPU"):
        initfill.Generator(0).normal_(DLWrap(torch.zeros(3), device=(2, 0)))
