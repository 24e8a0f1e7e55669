"""DTensors filled by initfill on real gloo process groups (127.0.0.1, spawned by the
tests): each rank fills exactly its shard of the single-process values, for
Shard(0), Shard(1) and Replicate on 1-4 ranks (uneven and empty shards), on a 2x2
mesh (both mesh dimensions, and _StridedShard), in float32 and bfloat16, by the
drop-ins, the Generator's fills, under patch(); and the fills initfill cannot make
raise their exact error with nothing written.  The ranks' checks are in
tests/dist_checks.py; one launch per world size serves this file and
tests/test_torch_distributed_fsdp.py."""
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
import torch.distributed as dist  # noqa: E402

pytestmark = pytest.mark.skipif(not (dist.is_available() and dist.is_gloo_available()),
                                reason="this torch has no torch.distributed with gloo")

from dist_launch import checked, failed, launched  # noqa: E402

WORLD_SIZES = (1, 2, 3, 4)


def one_dimensional(world_size):
    return launched(world_size, "dist_checks", "all_checks")


def two_by_two():
    return launched(4, "dist_checks", "all_checks")  # its "2x2 ..." checks


@pytest.mark.parametrize("world_size", WORLD_SIZES)
@pytest.mark.parametrize("placement", ["[Shard(dim=0)]", "[Shard(dim=1)]", "[Replicate()]"])
@pytest.mark.parametrize("fill", ["normal_", "uniform_", "trunc_normal_", "kaiming_uniform_",
                                  "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
                                  "constant_", "ones_", "Generator.normal_",
                                  "Generator.trunc_normal_"])
def test_fill_of_a_dtensor_is_its_shard_of_the_whole_fill(world_size, placement, fill):
    results = one_dimensional(world_size)
    prefix = f"{fill} {placement}"
    assert checked(results, prefix) == 4  # 2 shapes x 2 dtypes
    assert failed(results, prefix) == {}


@pytest.mark.parametrize("world_size", WORLD_SIZES)
def test_patch_and_torch_generator_on_dtensors(world_size):
    results = one_dimensional(world_size)
    for prefix in ("patch torch.nn.init", "torch.Generator"):
        assert checked(results, prefix) == 1
        assert failed(results, prefix) == {}


@pytest.mark.parametrize("world_size", [1, 4])
@pytest.mark.parametrize("case", ["Partial: ValueError", "Partial drop-in: ValueError",
                                  "global_shape with a DTensor: TypeError",
                                  "std < 0: ValueError", "low > high: ValueError",
                                  "int64 DTensor: TypeError"])
def test_fills_initfill_cannot_make_raise_their_error(world_size, case):
    results = one_dimensional(world_size)
    assert checked(results, case) == 1
    assert failed(results, case) == {}


@pytest.mark.parametrize("placements", [
    "[Shard(dim=0), Shard(dim=1)]", "[Shard(dim=1), Shard(dim=1)]",
    "[Replicate(), Shard(dim=0)]", "[Shard(dim=0), Shard(dim=0)]",
    "[Shard(dim=0), _StridedShard(dim=0, sf=2)]", "[Shard(dim=1), _StridedShard(dim=0, sf=2)]",
    "[_StridedShard(dim=1, sf=2), Shard(dim=1)]"])
def test_2x2_mesh_placements(placements):
    results = two_by_two()
    assert checked(results, f"2x2 normal_ {placements}") == 2 * 2  # shapes x dtypes
    for fill in ("normal_", "kaiming_uniform_", "xavier_normal_", "constant_",
                 "Generator.trunc_normal_"):
        assert failed(results, f"2x2 {fill} {placements}") == {}


def test_every_rank_answered_every_check():
    for world_size in WORLD_SIZES:
        results = one_dimensional(world_size)
        assert all(r.keys() == results[0].keys() for r in results)
        assert failed(results, "") == {}
