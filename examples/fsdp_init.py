"""Initialize an FSDP2-sharded Llama-shaped model with initfill: every rank fills only
its shard, and the gathered model equals the single-process one bit for bit.

    torchrun --standalone --nproc-per-node 2 examples/fsdp_init.py [--small]

Steps: build the model on the meta device (no memory), ``fully_shard`` each block
and the root, ``to_empty(device="cpu")`` (each rank allocates its shard only), then
``initfill.torch.init_module_(model, seed=0)``.  At the end a few parameters are
gathered (``full_tensor()``) and compared with a single-process reference.
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard

import initfill.torch as it


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, kv_heads: int) -> None:
        super().__init__()
        head_dim = dim // heads
        self.q_proj = nn.Linear(dim, heads * head_dim, bias=False)
        self.k_proj = nn.Linear(dim, kv_heads * head_dim, bias=False)
        self.v_proj = nn.Linear(dim, kv_heads * head_dim, bias=False)
        self.o_proj = nn.Linear(heads * head_dim, dim, bias=False)


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)


class DecoderLayer(nn.Module):
    def __init__(self, dim: int, hidden: int, heads: int, kv_heads: int) -> None:
        super().__init__()
        self.input_layernorm = nn.RMSNorm(dim)
        self.self_attn = Attention(dim, heads, kv_heads)
        self.post_attention_layernorm = nn.RMSNorm(dim)
        self.mlp = MLP(dim, hidden)


class Llama(nn.Module):
    """The parameter shapes of a Llama decoder (no forward: only the init matters)."""

    def __init__(self, vocab: int, dim: int, hidden: int, layers: int, heads: int,
                 kv_heads: int) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(DecoderLayer(dim, hidden, heads, kv_heads)
                                    for _ in range(layers))
        self.norm = nn.RMSNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)


SIZES = {  # vocab, dim, hidden, layers, heads, kv_heads
    "small": (1001, 64, 172, 2, 4, 2),      # uneven shards on 2 ranks (1001 rows)
    "default": (32000, 512, 1376, 4, 8, 4),  # ~0.05 B parameters
    "1b": (32000, 2048, 5632, 16, 32, 8),    # ~0.85 B parameters (TinyLlama-like, 16 layers)
}


def llama(size: str) -> Llama:
    return Llama(*SIZES[size])


def sharded_on_meta(size: str, mesh) -> Llama:
    """The model on the meta device, fully_shard per decoder layer and on the root."""
    with torch.device("meta"):
        model = llama(size)
    for layer in model.layers:
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tiny model (for tests)")
    args = parser.parse_args()
    size = "small" if args.small else "default"

    dist.init_process_group("gloo")
    try:
        rank = dist.get_rank()
        mesh = init_device_mesh("cpu", (dist.get_world_size(),))
        model = sharded_on_meta(size, mesh)
        t0 = time.perf_counter()
        model.to_empty(device="cpu")               # each rank: memory for its shard only
        it.init_module_(model, seed=0)             # each rank: fills its shard only
        print(f"rank {rank}: initialized its shard in {time.perf_counter() - t0:.2f} s")

        # Check a few parameters against the single-process model, gathered.
        names = ["embed_tokens.weight", "layers.0.self_attn.q_proj.weight",
                 f"layers.{SIZES[size][3] - 1}.mlp.down_proj.weight", "norm.weight",
                 "lm_head.weight"]
        params = dict(model.named_parameters())
        gathered = {name: params[name].full_tensor() for name in names}  # collective
        if rank == 0:
            reference = it.init_module_(llama(size), seed=0)
            ref = dict(reference.named_parameters())
            for name in names:
                assert torch.equal(gathered[name], ref[name]), name
            print("rank 0: all checked parameters equal the single-process model")
        dist.barrier()  # leave together: a rank tearing gloo down while a peer still works can abort
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
