"""Torch tensors initfill must refuse, before writing a byte or taking a stream:
views that reach past a storage shrunk in place, lazy views whose memory does not
hold their values (negated, conjugated), nested tensors, ZeroTensors, NULL data.
The fast path declines each of them and the general path refuses them."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import initfill  # noqa: E402
from initfill import initializers  # noqa: E402

# Every way a tensor reaches a fill: the fast path (a Generator fill without keywords),
# the general path (stream=), a module function, a drop-in, an initializer object.
CALLS = {
    "fast": lambda g, x: g.normal_(x),
    "general": lambda g, x: g.uniform_(x, 2.0, 3.0, stream=1),
    "module": lambda g, x: initfill.trunc_normal_(x, 0.75, 0.1, 0.5, 1.0, generator=g),
    "bits_": lambda g, x: g.bits_(x),
    "initializer": lambda g, x: initializers.RandomNormal(seed=1).fill_(x, generator=g),
    "constant_": lambda g, x: initfill.constant_(x, 1.5),
}


# ---- storage shrunk in place ----------------------------------------------------------

_SHRUNK = textwrap.dedent("""
    import torch, initfill
    g = initfill.Generator(0)
    def report(label, call):
        try:
            call()
        except ValueError as e:
            print(label, "ValueError", "storage" in str(e), g.next_stream)
        else:
            print(label, "filled", g.next_stream)
    def shrunk(view=lambda t: t, dtype=torch.float32):
        t = torch.empty(1000, dtype=dtype)
        v = view(t)  # torch checks new views against the storage: make it first
        t.untyped_storage().resize_(16)
        return v
    def tail():  # elements 50..99: bytes 200..400 of a storage cut to 300
        t = torch.empty(100)
        v = t[50:]
        t.untyped_storage().resize_(300)
        return v
    report("fast", lambda: g.normal_(shrunk()))
    report("general", lambda: g.normal_(shrunk(lambda t: t[::2]), stream=1))
    report("module", lambda: initfill.kaiming_uniform_(shrunk(lambda t: t.view(10, 100)),
                                                       generator=g))
    report("bits", lambda: g.bits_(shrunk(dtype=torch.uint32)))
    report("tail-fast", lambda: g.uniform_(tail()))
    report("tail-general", lambda: g.uniform_(tail(), stream=2))
""")


def test_views_past_a_shrunk_storage_are_refused():
    # In a child process: if the check were missing the fill would corrupt the heap.
    r = subprocess.run([sys.executable, "-c", _SHRUNK], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    for label in ("fast", "general", "module", "bits", "tail-fast", "tail-general"):
        assert lines[label] == "ValueError True 0", (label, lines[label])


def test_a_view_inside_a_shrunk_storage_is_filled():
    t = torch.zeros(100)
    v = t[10:20]
    t.untyped_storage().resize_(80)  # elements 0..19 remain
    ref = torch.empty(10)
    initfill.Generator(2).normal_(ref, stream=0)
    initfill.Generator(2).normal_(v)
    assert torch.equal(v, ref)


def test_null_data_pointer():
    t = torch.empty(10)
    t.untyped_storage().resize_(0)
    assert t.data_ptr() == 0
    g = initfill.Generator(0)
    for call in (lambda: g.normal_(t), lambda: g.normal_(t, stream=0)):
        with pytest.raises(ValueError, match="NULL"):
            call()
    assert g.next_stream == 0


# ---- lazy views and other tensors without plain memory ---------------------------------

@pytest.mark.parametrize("how", sorted(set(CALLS) - {"bits_"}))  # no unsigned neg views
def test_negated_view_is_refused(how):
    base = torch.zeros(8, dtype=torch.complex64)
    v = base.conj().imag
    assert v.is_neg()
    g = initfill.Generator(3, next_stream=5)
    with pytest.raises(ValueError, match=r"is_neg.*resolve_neg\(\) returns a new tensor"):
        CALLS[how](g, v)
    assert torch.equal(torch.view_as_real(base), torch.zeros(8, 2))
    assert g.next_stream == 5


@pytest.mark.parametrize("how", ["fast", "general", "module"])
def test_conjugated_view_is_refused(how):
    c = torch.zeros(8, dtype=torch.complex64).conj()
    assert c.is_conj()
    g = initfill.Generator(3, next_stream=5)
    with pytest.raises(ValueError, match=r"is_conj.*resolve_conj\(\) returns a new tensor"):
        CALLS[how](g, c)
    assert g.next_stream == 5


def test_copying_into_a_negated_view_is_the_way():
    # What the message advises gives the intended values through the view.
    base = torch.zeros(8, dtype=torch.complex64)
    v = base.conj().imag
    src = initfill.Generator(1).uniform_(torch.empty(8), 2.0, 3.0)
    v.copy_(src)
    assert torch.equal(v, src) and bool(((v >= 2) & (v < 3)).all())


@pytest.mark.parametrize("how", ["fast", "general", "module", "initializer"])
def test_nested_tensor_is_refused(how):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n = torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)])
    g = initfill.Generator(3, next_stream=5)
    with pytest.raises(TypeError, match="nested tensor"):
        CALLS[how](g, n)
    assert all(bool((c == 0).all()) for c in n.unbind())
    assert g.next_stream == 5


@pytest.mark.parametrize("how", ["fast", "general", "module"])
def test_zero_tensor_is_refused(how):
    z = torch._efficientzerotensor(4)
    g = initfill.Generator(3, next_stream=5)
    with pytest.raises(TypeError, match="ZeroTensor"):
        CALLS[how](g, z)
    assert g.next_stream == 5


def test_ordinary_views_still_take_the_fast_path():
    # Contiguous views with a storage offset are neither shrunk nor lazy.
    t = torch.zeros(4, 16)
    g = initfill.Generator(9)
    g.normal_(t[2])
    ref = initfill.Generator(9).normal_(np.empty(16, np.float32), stream=0)
    assert np.array_equal(t[2].numpy(), ref) and g.next_stream == 1


def test_wrapper_subclass_without_memory():
    class Wrapper(torch.Tensor):  # like DTensor: no storage of its own
        @staticmethod
        def __new__(cls, elem):
            return torch.Tensor._make_wrapper_subclass(cls, elem.shape, dtype=elem.dtype)

        @classmethod
        def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
            raise NotImplementedError(str(func))

    w = Wrapper(torch.zeros(4))
    g = initfill.Generator(0)
    for call in (lambda: g.normal_(w), lambda: g.normal_(w, stream=1)):
        with pytest.raises(ValueError, match="NULL.*local tensor"):
            call()
    assert g.next_stream == 0
