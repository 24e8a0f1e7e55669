"""Whole-model initialization benchmark: a Llama-shaped model of about 1B parameters.

Used by ``initfill bench --model`` and ``benches/bench_model.py``.  Needs torch;
imports it only when called.

The model: token embedding (vocab x hidden), `layers` blocks of q/k/v/o projections
(hidden x hidden) and gate/up/down projections (hidden <-> intermediate), no biases,
two LayerNorms per block, a final LayerNorm and an untied head (hidden -> vocab).
With the defaults (hidden 2048, intermediate 5632, 16 layers, vocab 32000) it has
953,290,752 parameters (about 3.8 GB in float32).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from ..plotting import figure_class, save_figure

__all__ = ["MODEL_SIZES", "format_model_bench", "llama_shaped", "model_bench", "plot_model"]

#: Model dimensions by name, for ``initfill bench --model-size``: ``1b`` is the
#: ~1B-parameter default; ``small`` (~0.1B) and ``tiny`` (a few thousand parameters,
#: for tests) keep the same structure.
MODEL_SIZES: dict[str, dict[str, int]] = {
    "1b": {"hidden": 2048, "intermediate": 5632, "layers": 16, "vocab": 32000},
    "small": {"hidden": 768, "intermediate": 2048, "layers": 8, "vocab": 32000},
    "tiny": {"hidden": 32, "intermediate": 64, "layers": 2, "vocab": 128},
}


def llama_shaped(hidden: int = 2048, intermediate: int = 5632, layers: int = 16,
                 vocab: int = 32000, dtype: Any = None) -> Any:
    """Build the Llama-shaped ``torch.nn.Module`` (constructed with the current
    ``torch.device`` context and torch's default init, or initfill's under ``patch()``).

    Parameters
    ----------
    hidden, intermediate, layers, vocab : int
        Model dimensions.
    dtype : torch.dtype, optional
        Parameter dtype (default: torch's default dtype).

    Returns
    -------
    torch.nn.Module
        The model.
    """
    import torch
    from torch import nn

    kw = {"dtype": dtype} if dtype is not None else {}

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attn_norm = nn.LayerNorm(hidden, **kw)
            self.q_proj = nn.Linear(hidden, hidden, bias=False, **kw)
            self.k_proj = nn.Linear(hidden, hidden, bias=False, **kw)
            self.v_proj = nn.Linear(hidden, hidden, bias=False, **kw)
            self.o_proj = nn.Linear(hidden, hidden, bias=False, **kw)
            self.mlp_norm = nn.LayerNorm(hidden, **kw)
            self.gate_proj = nn.Linear(hidden, intermediate, bias=False, **kw)
            self.up_proj = nn.Linear(hidden, intermediate, bias=False, **kw)
            self.down_proj = nn.Linear(intermediate, hidden, bias=False, **kw)

    class LlamaShaped(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed_tokens = nn.Embedding(vocab, hidden, **kw)
            self.layers = nn.ModuleList(Block() for _ in range(layers))
            self.norm = nn.LayerNorm(hidden, **kw)
            self.lm_head = nn.Linear(hidden, vocab, bias=False, **kw)

    del torch
    return LlamaShaped()


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def model_bench(hidden: int = 2048, intermediate: int = 5632, layers: int = 16,
                vocab: int = 32000, *, torch_baseline: bool = True, seed: int = 0,
                repeat: int = 1) -> dict[str, Any]:
    """Time whole-model initialization with torch and with initfill, in one run.

    Measures (seconds, best of `repeat`):

    - ``meta_to_empty_init_module``: ``with torch.device("meta")`` construction,
      ``to_empty(device="cpu")`` and ``initfill.torch.init_module_(m, seed)`` (float32);
    - ``meta_to_empty_reset_parameters`` (torch baseline): the same with every module's
      own ``reset_parameters()`` instead;
    - ``construct_patch``: ordinary CPU construction inside ``initfill.torch.patch()``;
    - ``construct_torch`` (torch baseline): ordinary CPU construction;
    - ``meta_to_empty_zero`` (floor): meta construction, ``to_empty`` and ``zero_()``
      of every parameter, i.e. the cost of first touching the fresh memory, which
      every initializer pays and no kernel can avoid.

    Each timing ``name`` also has ``name_cpu``: the process CPU time (all threads),
    which shows how much of the machine the run actually got.

    Parameters
    ----------
    hidden, intermediate, layers, vocab : int
        Model dimensions (defaults: the ~1B Llama shape).
    torch_baseline : bool
        Also time torch's own init (about 10 s each at 1B parameters on 2 cores).
    seed : int
        Seed of initfill's fills.
    repeat : int
        Repetitions; the minimum is reported.

    Returns
    -------
    dict
        ``params``, ``threads`` (initfill), ``torch_threads``, the timings above, and
        ``speedup_init_module`` / ``speedup_construct`` (torch time / initfill time)
        when the baseline ran, and ``init_module_over_floor`` (initfill's
        meta -> to_empty -> init_module_ time / the first-touch floor's).
    """
    import torch

    import initfill
    import initfill.torch as it

    dims = dict(hidden=hidden, intermediate=intermediate, layers=layers, vocab=vocab)

    def meta_init(reset: bool) -> Any:
        with torch.device("meta"):
            m = llama_shaped(**dims)
        m.to_empty(device="cpu")
        if reset:
            with torch.no_grad():
                for mod in m.modules():
                    if hasattr(mod, "reset_parameters"):
                        mod.reset_parameters()
        else:
            it.init_module_(m, seed=seed)
        return m

    def meta_zero() -> Any:
        with torch.device("meta"):
            m = llama_shaped(**dims)
        m.to_empty(device="cpu")
        with torch.no_grad():
            for p in m.parameters():
                p.zero_()
        return m

    def construct(patched: bool) -> Any:
        if patched:
            with it.patch(seed=seed):
                return llama_shaped(**dims)
        return llama_shaped(**dims)

    # The first meta-device construction pays a one-time cost (~1 s of torch's lazy
    # setup); pay it before timing anything.
    with torch.device("meta"):
        llama_shaped(hidden=64, intermediate=64, layers=1, vocab=64)

    res: dict[str, Any] = {"threads": initfill.get_num_threads(),
                           "torch_threads": torch.get_num_threads(), **dims}
    cases = [("meta_to_empty_init_module", lambda: meta_init(False)),
             ("construct_patch", lambda: construct(True)),
             ("meta_to_empty_zero", meta_zero)]
    if torch_baseline:
        cases += [("meta_to_empty_reset_parameters", lambda: meta_init(True)),
                  ("construct_torch", lambda: construct(False))]
    for name, fn in cases:
        best, best_cpu = float("inf"), 0.0
        for _ in range(max(1, repeat)):
            t, c, m = _timed(fn)
            if t < best:
                best, best_cpu = t, c
            res["params"] = sum(p.numel() for p in m.parameters())
            del m
            gc.collect()
        res[name] = best
        res[name + "_cpu"] = best_cpu
    if torch_baseline:
        res["speedup_init_module"] = (res["meta_to_empty_reset_parameters"]
                                      / res["meta_to_empty_init_module"])
        res["speedup_construct"] = res["construct_torch"] / res["construct_patch"]
    res["init_module_over_floor"] = (res["meta_to_empty_init_module"]
                                     / res["meta_to_empty_zero"])
    return res


def format_model_bench(res: dict[str, Any]) -> str:
    """Render :func:`model_bench`'s result as a few aligned lines."""
    lines = [f"Llama-shaped model: {res['params'] / 1e9:.3f}B parameters (hidden "
             f"{res['hidden']}, intermediate {res['intermediate']}, {res['layers']} layers, "
             f"vocab {res['vocab']}), initfill threads {res['threads']}, torch threads "
             f"{res['torch_threads']}"]
    rows = [("meta -> to_empty -> init_module_", "meta_to_empty_init_module"),
            ("meta -> to_empty -> reset_parameters (torch)", "meta_to_empty_reset_parameters"),
            ("construction inside patch()", "construct_patch"),
            ("construction (torch)", "construct_torch"),
            ("floor: meta -> to_empty -> zero_()", "meta_to_empty_zero")]
    for label, key in rows:
        if key in res:
            lines.append(f"  {label:<46} {res[key]:8.3f} s wall {res[key + '_cpu']:8.3f} s cpu")
    if "speedup_init_module" in res:
        lines.append(f"  speed-up init_module_ vs reset_parameters    {res['speedup_init_module']:7.1f}x")
        lines.append(f"  speed-up construction patch() vs torch       {res['speedup_construct']:7.1f}x")
    if "init_module_over_floor" in res:
        lines.append(f"  init_module_ path / first-touch floor        "
                     f"{res['init_module_over_floor']:7.2f}x")
    return "\n".join(lines)


_BARS = (("torch: meta -> to_empty -> reset_parameters", "meta_to_empty_reset_parameters"),
         ("initfill: meta -> to_empty -> init_module_", "meta_to_empty_init_module"),
         ("torch: construction", "construct_torch"),
         ("initfill: construction inside patch()", "construct_patch"),
         ("floor: meta -> to_empty -> zero_()", "meta_to_empty_zero"))


def plot_model(res: dict[str, Any], path: str, title: str) -> None:
    """Write :func:`model_bench`'s timings as a horizontal bar chart (seconds, wall clock).

    Raises
    ------
    MatplotlibMissing
        matplotlib is not installed.
    OSError
        The file cannot be written.
    """
    bars = [(label, res[key]) for label, key in _BARS if key in res]
    fig = figure_class()(figsize=(9, 0.5 * len(bars) + 1.5), layout="constrained")
    ax = fig.subplots()
    ax.barh([b[0] for b in bars][::-1], [b[1] for b in bars][::-1])
    ax.set_xlabel("seconds (wall clock, lower is better)")
    ax.set_title(title, fontsize="medium")
    save_figure(fig, path)
