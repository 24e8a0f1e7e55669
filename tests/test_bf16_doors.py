"""bfloat16 (and float16) through every door: the Generator on NumPy, ml_dtypes, raw
uint16 words and torch tensors, the module functions, the torch drop-ins, init_module_
and the Keras objects, all writing the same bits for the same (seed, stream)."""
import numpy as np
import pytest

import initfill
from initfill import initializers as I

ml_dtypes = pytest.importorskip("ml_dtypes")
torch = pytest.importorskip("torch")
import initfill.torch as it  # noqa: E402

SHAPE = (24, 16)


def _bits(x):
    if isinstance(x, torch.Tensor):
        return x.view(torch.int16).numpy().view(np.uint16)
    return np.asarray(x).view(np.uint16)


@pytest.mark.parametrize("half, np_dt, t_dt", [
    ("bfloat16", np.dtype(ml_dtypes.bfloat16), torch.bfloat16),
    ("float16", np.dtype(np.float16), torch.float16)])
def test_every_door_writes_the_same_bits(half, np_dt, t_dt):
    def gen():
        return initfill.Generator(31)

    ref = _bits(gen().normal_(np.empty(SHAPE, np_dt), 0.0, 0.5, stream=0))
    doors = {
        "Generator, torch tensor": gen().normal_(torch.empty(SHAPE, dtype=t_dt), 0.0, 0.5,
                                                 stream=0),
        "Generator, raw uint16 + dtype=": gen().normal_(np.empty(SHAPE, np.uint16), 0.0, 0.5,
                                                        stream=0, dtype=half),
        "initfill.normal_": initfill.normal_(np.empty(SHAPE, np_dt), 0.0, 0.5,
                                             generator=gen(), stream=0),
        "initfill.torch.normal_": it.normal_(torch.empty(SHAPE, dtype=t_dt), 0.0, 0.5,
                                             generator=gen()),
        "RandomNormal.__call__": I.RandomNormal(0.0, 0.5, seed=31)(SHAPE, half),
        "RandomNormal.fill_ (torch)": I.RandomNormal(0.0, 0.5, seed=31).fill_(
            torch.empty(SHAPE, dtype=t_dt)),
    }
    for door, out in doors.items():
        assert np.array_equal(_bits(out), ref), door
    # init_module_ and patch(): a half model, each parameter on its named stream
    m = it.init_module_(torch.nn.Linear(16, 24).to(t_dt), seed=31, scheme="normal", std=0.5)
    named = gen().normal_(np.empty(SHAPE, np_dt), 0.0, 0.5,
                          stream=initfill.stream_id("weight"))
    assert np.array_equal(_bits(m.weight.detach()), _bits(named))
    with it.patch(seed=31):
        w = it.normal_(torch.empty(SHAPE, dtype=t_dt), 0.0, 0.5)
    assert np.array_equal(_bits(w), ref)
