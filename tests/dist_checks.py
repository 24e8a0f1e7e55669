"""What each rank of the gloo groups of tests/test_torch_distributed_*.py checks.

Every check compares a sharded fill with the single-process fill of the same
seed: the gathered tensor (``full_tensor()``, torch's own all-gather) must equal it
bit for bit, and the rank's local shard must equal torch's own shard of it
(``distribute_tensor(reference, mesh, placements).to_local()``).  A check answers
None when it holds, else a line saying what differs; one process-group launch runs
many checks and sends back ``{check name: answer}``.
"""
from __future__ import annotations

import math
import traceback
import warnings
from collections.abc import Callable

import torch
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import DTensor, Partial, Replicate, Shard, distribute_tensor

import initfill
import initfill.torch as it

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
SHAPES = ((7, 5), (1, 4))  # uneven on 2-4 ranks; (1, 4): empty shards on 2-4 ranks


# ---- a small Llama-shaped model ------------------------------------------------------

class Attention(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim // 2, bias=False)
        self.v = nn.Linear(dim, dim // 2, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.gate = nn.Linear(dim, hidden, bias=False)
        self.up = nn.Linear(dim, hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)


class Block(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.attn_norm = nn.RMSNorm(dim)
        self.attn = Attention(dim)
        self.mlp_norm = nn.RMSNorm(dim)
        self.mlp = MLP(dim, hidden)
        self.gain = nn.Parameter(torch.empty(dim))

    def reset_parameters(self) -> None:  # an init method of its own (keyed fills)
        nn.init.trunc_normal_(self.gain, std=0.02)


class Model(nn.Module):
    def __init__(self, vocab: int = 11, dim: int = 12, hidden: int = 24,
                 layers: int = 2) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, dim, padding_idx=9)  # the zeroed row: on rank 3/4
        self.blocks = nn.ModuleList(Block(dim, hidden) for _ in range(layers))
        self.norm = nn.RMSNorm(dim)
        self.head = nn.Linear(dim, vocab)
        self.score = nn.Linear(dim, 2)  # 2 rows: empty shards on 3 and 4 ranks


TP_PLAN = {"attn.q": "col", "attn.k": "col", "attn.v": "col", "attn.o": "row",
           "mlp.gate": "col", "mlp.up": "col", "mlp.down": "row"}


def sharded_model(mesh, dtype: torch.dtype, placement: str = "shard0",
                  tp_mesh=None) -> Model:
    """Model on meta -> (TP on `tp_mesh`) -> fully_shard per block and root -> still
    on meta."""
    from torch.distributed.fsdp import fully_shard

    with torch.device("meta"):
        m = Model().to(dtype)
    if tp_mesh is not None:
        from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, \
            parallelize_module
        for b in m.blocks:
            parallelize_module(b, tp_mesh, {k: ColwiseParallel() if v == "col"
                                            else RowwiseParallel() for k, v in TP_PLAN.items()})
    kwargs = {}
    if placement == "shard1":
        # FSDP2 shards dim 1 only evenly
        n = mesh.size()
        kwargs["shard_placement_fn"] = lambda p: Shard(
            1 if p.ndim > 1 and p.shape[1] % n == 0 else 0)
    for b in m.blocks:
        fully_shard(b, mesh=mesh, **kwargs)
    fully_shard(m, mesh=mesh, **kwargs)
    return m


def reference_model(dtype: torch.dtype, **options) -> dict[str, torch.Tensor]:
    """The single-process values: init_module_(Model(), seed=0)."""
    m = Model().to(dtype)
    it.init_module_(m, seed=0, **options)
    return {n: p.detach().clone() for n, p in m.named_parameters()}


def compare_model(m: nn.Module, ref: dict[str, torch.Tensor]) -> str | None:
    names = [n for n, _ in m.named_parameters()]
    if sorted(names) != sorted(ref):
        return f"parameter names differ: {names} vs {list(ref)}"
    for name, p in m.named_parameters():
        if not isinstance(p, DTensor):
            return f"{name} is not a DTensor"
        answer = compare(p, ref[name], name)
        if answer:
            return answer
    return None


def compare(d: DTensor, ref: torch.Tensor, what: str) -> str | None:
    """None when `d` is the sharded `ref`, bit for bit, gathered and locally."""
    full = d.full_tensor()
    if full.dtype != ref.dtype or not torch.equal(full, ref):
        bad = (full != ref).nonzero()[:3].tolist() if full.shape == ref.shape else "shape"
        return f"{what}: full_tensor() differs from the single-process fill at {bad}"
    # torch's own split of the reference, locally (src_data_rank=None: no scatter)
    mine = distribute_tensor(ref, d.device_mesh, d.placements, src_data_rank=None).to_local()
    if not torch.equal(d.to_local(), mine):
        return f"{what}: local shard differs from torch's shard of the reference"
    return None


def _run(checks: dict[str, str | None], name: str, check: Callable[[], str | None]) -> None:
    try:
        checks[name] = check()
    except Exception:  # noqa: BLE001 -- the test reports it
        checks[name] = traceback.format_exc()


# ---- the drop-ins and Generator on DTensors ------------------------------------------

def _dropins() -> dict[str, Callable[[torch.Tensor, object], object]]:
    return {
        "normal_": lambda t, g: it.normal_(t, 0.5, 2.0, generator=g),
        "uniform_": lambda t, g: it.uniform_(t, -1.0, 3.0, generator=g),
        "trunc_normal_": lambda t, g: it.trunc_normal_(t, 0.0, 1.0, -1.5, 2.0, generator=g),
        "kaiming_uniform_": lambda t, g: it.kaiming_uniform_(t, a=math.sqrt(5), generator=g),
        "kaiming_normal_": lambda t, g: it.kaiming_normal_(t, mode="fan_out", generator=g),
        "xavier_uniform_": lambda t, g: it.xavier_uniform_(t, gain=2.0, generator=g),
        "xavier_normal_": lambda t, g: it.xavier_normal_(t, generator=g),
        "constant_": lambda t, g: it.constant_(t, 0.25),
        "ones_": lambda t, g: it.ones_(t),
        "Generator.normal_": lambda t, g: g.normal_(t, 0.0, 0.02),
        "Generator.trunc_normal_": lambda t, g: g.trunc_normal_(t, 0.0, 0.02, -0.04, 0.04),
    }


def _one_dropin(fill, mesh, placements, shape, dtype) -> str | None:
    d = distribute_tensor(torch.zeros(shape, dtype=dtype), mesh, placements,
                          src_data_rank=None)
    ref = torch.zeros(shape, dtype=dtype)
    g, g_ref = initfill.Generator(5, next_stream=3), initfill.Generator(5, next_stream=3)
    fill(d, g)
    fill(ref, g_ref)
    if g.next_stream != g_ref.next_stream:  # every rank, empty shard or not, in step
        return f"next_stream {g.next_stream} != {g_ref.next_stream}"
    return compare(d, ref, f"{placements} {shape} {dtype}")


def dtensor_checks(mesh, placements_list, shapes=SHAPES, fills=None
                   ) -> dict[str, str | None]:
    checks: dict[str, str | None] = {}
    dropins = {k: v for k, v in _dropins().items() if fills is None or k in fills}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kaiming's zero-element warning on no tensor here
        for placements in placements_list:
            for dname, dtype in DTYPES.items():
                for shape in shapes:
                    for fname, fill in dropins.items():
                        _run(checks, f"{fname} {placements} {shape} {dname}",
                             lambda: _one_dropin(fill, mesh, placements, shape, dtype))
    _run(checks, "patch torch.nn.init", lambda: _patched(mesh))
    _run(checks, "torch.Generator", lambda: _torch_generator(mesh))
    return checks


def _patched(mesh) -> str | None:
    d = distribute_tensor(torch.zeros(9, 4), mesh, [Shard(0)] * mesh.ndim)
    ref = torch.zeros(9, 4)
    with it.patch(seed=7):
        nn.init.kaiming_normal_(d)
    with it.patch(seed=7):
        nn.init.kaiming_normal_(ref)
    return compare(d, ref, "under patch()")


def _torch_generator(mesh) -> str | None:
    d = distribute_tensor(torch.zeros(9, 4), mesh, [Shard(1)] * mesh.ndim)
    ref = torch.zeros(9, 4)
    it.normal_(d, generator=torch.Generator().manual_seed(3))  # same seed on all ranks
    it.normal_(ref, generator=torch.Generator().manual_seed(3))
    return compare(d, ref, "torch.Generator")


def error_checks(mesh) -> dict[str, str | None]:
    """The errors of fills initfill cannot make, each of its exact type, with the
    DTensor and the generator left as they were."""
    checks: dict[str, str | None] = {}

    def expect(kind: type, call: Callable[[initfill.Generator, DTensor], object],
               placements=None) -> str | None:
        base = torch.arange(12.0).reshape(4, 3)
        d = distribute_tensor(base.clone(), mesh, placements or [Shard(0)] * mesh.ndim)
        before = d.to_local().clone()
        g = initfill.Generator(0)
        try:
            call(g, d)
        except kind:
            pass
        else:
            return f"no {kind.__name__}"
        if not torch.equal(d.to_local(), before) or g.next_stream != 0:
            return "written or stream taken despite the error"
        return None

    _run(checks, "Partial: ValueError", lambda: expect(
        ValueError, lambda g, d: g.normal_(d),
        [Partial()] * mesh.ndim))
    _run(checks, "Partial drop-in: ValueError", lambda: expect(
        ValueError, lambda g, d: it.normal_(d, generator=g), [Partial()] * mesh.ndim))
    _run(checks, "global_shape with a DTensor: TypeError", lambda: expect(
        TypeError, lambda g, d: g.normal_(d, global_shape=(4, 3), offset=(0, 0))))
    _run(checks, "std < 0: ValueError", lambda: expect(
        ValueError, lambda g, d: g.normal_(d, 0.0, -1.0)))
    _run(checks, "low > high: ValueError", lambda: expect(
        ValueError, lambda g, d: g.uniform_(d, 1.0, 0.0)))
    _run(checks, "int64 DTensor: TypeError", lambda: _int_dtensor(mesh))
    return checks


def _int_dtensor(mesh) -> str | None:
    d = distribute_tensor(torch.zeros(4, 3, dtype=torch.int64), mesh, [Shard(0)] * mesh.ndim)
    try:
        initfill.Generator(0).normal_(d)
    except TypeError:
        return None
    return "no TypeError"


# ---- FSDP2 ---------------------------------------------------------------------------

def fsdp_checks(mesh, tp_mesh=None) -> dict[str, str | None]:
    checks: dict[str, str | None] = {}
    for dname, dtype in DTYPES.items():
        ref = reference_model(dtype)
        for placement in ("shard0", "shard1"):
            def init_module(placement=placement):
                m = sharded_model(mesh, dtype, placement, tp_mesh)
                m.to_empty(device="cpu")
                it.init_module_(m, seed=0)
                return compare_model(m, ref)

            def materialize(placement=placement):
                m = sharded_model(mesh, dtype, placement, tp_mesh)
                it.materialize_(m, device="cpu", seed=0)
                return compare_model(m, ref)
            _run(checks, f"fsdp init_module_ {placement} {dname}", init_module)
            _run(checks, f"fsdp materialize_ {placement} {dname}", materialize)
    normal_ref = reference_model(torch.float32, scheme="normal", residual_layers=2)

    def normal_scheme():
        m = sharded_model(mesh, torch.float32, "shard0", tp_mesh)
        it.materialize_(m, device="cpu", seed=0, scheme="normal", residual_layers=2)
        return compare_model(m, normal_ref)
    _run(checks, "fsdp materialize_ scheme=normal", normal_scheme)
    if tp_mesh is None:
        _run(checks, "fsdp materialize_ tied", lambda: _tied(mesh))
    if tp_mesh is not None:
        def strided():
            from torch.distributed.tensor.placement_types import _StridedShard
            m = sharded_model(mesh, torch.float32, "shard0", tp_mesh)
            kinds = {type(pl).__name__ for _, p in m.named_parameters() for pl in p.placements}
            return None if _StridedShard.__name__ in kinds else f"no _StridedShard: {kinds}"
        _run(checks, "2-D mesh makes _StridedShard", strided)
    return checks


def _tied_model() -> nn.Module:
    m = nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 4), nn.Linear(4, 7, bias=False))
    m[2].weight = m[0].weight  # a head tied to the embedding
    return m


def _tied(mesh) -> str | None:
    """materialize_ keeps a tied head tied under FSDP2 and fills it once."""
    from torch.distributed.fsdp import fully_shard

    with torch.device("meta"):
        m = _tied_model()
    fully_shard(m[1], mesh=mesh)
    fully_shard(m, mesh=mesh)  # the tied pair lives in the root's group
    it.materialize_(m, device="cpu", seed=0)
    with torch.device("meta"):
        ref = _tied_model()
    it.materialize_(ref, device="cpu", seed=0)
    if m[2].weight is not m[0].weight:
        return "the tie was lost"
    return compare_model(m, {n: p.detach() for n, p in ref.named_parameters()})


# ---- the launches: one per world size ------------------------------------------------

def all_checks(rank: int, world_size: int) -> dict[str, str | None]:
    """Everything one world size checks, in one process group."""
    torch.set_num_threads(1)
    mesh = init_device_mesh("cpu", (world_size,))
    checks = dtensor_checks(mesh, [[Shard(0)], [Shard(1)], [Replicate()]])
    checks.update(error_checks(mesh))
    checks.update(fsdp_checks(mesh))
    if world_size == 4:  # the same 4 processes, as a 2x2 mesh too
        checks.update({"2x2 " + k: v for k, v in mesh_2x2_checks(rank, world_size).items()})
    return checks


def mesh_2x2_checks(rank: int, world_size: int, parts: str = "dtensor fsdp"
                    ) -> dict[str, str | None]:
    """A 2x2 mesh (dp, tp): DTensor placements over both dimensions, and FSDP2 on
    top of ColwiseParallel/RowwiseParallel (which gives _StridedShard)."""
    from torch.distributed.tensor.placement_types import _StridedShard

    torch.set_num_threads(1)
    mesh = init_device_mesh("cpu", (2, 2), mesh_dim_names=("dp", "tp"))
    checks: dict[str, str | None] = {}
    if "dtensor" in parts:
        checks.update(_mesh_2x2_dtensor(mesh))
    if "fsdp" in parts:
        checks.update(fsdp_checks(mesh["dp"], tp_mesh=mesh["tp"]))
    return checks


MESH_2X2_FILLS = ("normal_", "kaiming_uniform_", "xavier_normal_", "constant_",
                  "Generator.trunc_normal_")


def _mesh_2x2_dtensor(mesh) -> dict[str, str | None]:
    from torch.distributed.tensor.placement_types import _StridedShard

    checks = dtensor_checks(mesh, [[Shard(0), Shard(1)], [Shard(1), Shard(1)],
                                   [Replicate(), Shard(0)], [Shard(0), Shard(0)]],
                            fills=MESH_2X2_FILLS)
    # (distribute_tensor makes a _StridedShard of an evenly divided dimension only)
    checks.update(dtensor_checks(mesh, [[Shard(0), _StridedShard(0, split_factor=2)],
                                        [Shard(1), _StridedShard(0, split_factor=2)],
                                        [_StridedShard(1, split_factor=2), Shard(1)]],
                                 shapes=((8, 4), (4, 8)), fills=MESH_2X2_FILLS))
    return checks
