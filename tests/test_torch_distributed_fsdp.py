"""FSDP2 (fully_shard) models initialized by initfill on real gloo process groups:
built on meta, fully_shard per block and on the root, then
``to_empty(device="cpu")`` + ``init_module_(m, seed=0)`` or ``materialize_``; every
parameter's full_tensor() equals the single-process ``init_module_(Model(), seed=0)``
bit for bit and each rank holds torch's own shard of it -- on 1-4 ranks (uneven and
empty shards), float32 and bfloat16, Shard(0) and Shard(1) placements of the same
weights, and FSDP2 over ColwiseParallel/RowwiseParallel on a 2x2 mesh (which gives
_StridedShard).  Also examples/fsdp_init.py under torchrun."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (CI installs torch==2.13.0)")
import torch.distributed as dist  # noqa: E402

pytestmark = pytest.mark.skipif(not (dist.is_available() and dist.is_gloo_available()),
                                reason="this torch has no torch.distributed with gloo")

from dist_launch import checked, failed, free_port, launched  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
@pytest.mark.parametrize("how", ["init_module_", "materialize_"])
@pytest.mark.parametrize("placement", ["shard0", "shard1"])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_fsdp2_shards_equal_the_single_process_model(world_size, how, placement, dtype):
    results = launched(world_size, "dist_checks", "all_checks")
    name = f"fsdp {how} {placement} {dtype}"
    assert checked(results, name) == 1
    assert failed(results, name) == {}


@pytest.mark.parametrize("world_size", [2, 3])
def test_fsdp2_normal_scheme(world_size):
    results = launched(world_size, "dist_checks", "all_checks")
    assert checked(results, "fsdp materialize_ scheme=normal") == 1
    assert failed(results, "fsdp materialize_ scheme=normal") == {}


@pytest.mark.parametrize("world_size", [2, 3])
def test_fsdp2_materialize_keeps_a_tied_head_tied(world_size):
    results = launched(world_size, "dist_checks", "all_checks")
    assert checked(results, "fsdp materialize_ tied") == 1
    assert failed(results, "fsdp materialize_ tied") == {}


def test_fsdp2_over_tensor_parallel_on_a_2x2_mesh():
    results = launched(4, "dist_checks", "all_checks")  # its "2x2 ..." checks
    assert checked(results, "2x2 2-D mesh makes _StridedShard") == 1
    assert failed(results, "2x2 2-D mesh makes _StridedShard") == {}
    assert checked(results, "2x2 fsdp ") == 2 * 2 * 2 + 1
    assert failed(results, "2x2 fsdp ") == {}


def test_example_under_torchrun():
    import initfill
    here = str(Path(initfill.__file__).resolve().parent.parent)  # the initfill under test
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
           "--rdzv-backend", "c10d", f"--rdzv-endpoint=127.0.0.1:{free_port()}",
           "--nnodes", "1", str(ROOT / "examples" / "fsdp_init.py"), "--small"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "rank 0: all checked parameters equal the single-process model" in proc.stdout
