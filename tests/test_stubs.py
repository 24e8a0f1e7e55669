"""The type stubs describe the runtime API exactly.

Parses ``initfill/__init__.pyi`` and ``initfill/_core.pyi`` with :mod:`ast` and checks,
for every public function and method, that the stub has the same parameter names,
kinds (positional, keyword-only, ...) and default values as the runtime object seen
by :func:`inspect.signature`; and that the stubs and ``__all__`` name the same things.
Types are checked by mypy, not here.
"""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import initfill
import initfill._core

PKG = Path(initfill.__file__).parent
_NO_DEFAULT = object()


def _stub(name: str) -> ast.Module:
    path = PKG / name
    assert path.is_file(), f"{path} is missing (is *.pyi in the package data?)"
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _stub_params(fn: ast.FunctionDef) -> list[tuple[str, inspect._ParameterKind, object]]:
    """(name, kind, default) of each parameter of a stub function, as inspect has them."""
    a = fn.args
    P = inspect.Parameter
    out: list[tuple[str, inspect._ParameterKind, object]] = []
    positional = [(p, P.POSITIONAL_ONLY) for p in a.posonlyargs]
    positional += [(p, P.POSITIONAL_OR_KEYWORD) for p in a.args]
    defaults = [_NO_DEFAULT] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for (p, kind), d in zip(positional, defaults):
        out.append((p.arg, kind, d))
    if a.vararg:
        out.append((a.vararg.arg, P.VAR_POSITIONAL, _NO_DEFAULT))
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((p.arg, P.KEYWORD_ONLY, _NO_DEFAULT if d is None else d))
    if a.kwarg:
        out.append((a.kwarg.arg, P.VAR_KEYWORD, _NO_DEFAULT))
    return [
        (n, k, d if d is _NO_DEFAULT else ast.literal_eval(d)) for n, k, d in out
    ]


def _runtime_params(obj) -> list[tuple[str, inspect._ParameterKind, object]]:
    sig = inspect.signature(obj)
    return [
        (p.name, p.kind, _NO_DEFAULT if p.default is p.empty else p.default)
        for p in sig.parameters.values()
    ]


def _same(stub, runtime) -> bool:
    """Parameter lists equal, defaults equal in value *and* type (0 is not 0.0)."""
    if len(stub) != len(runtime):
        return False
    for (sn, sk, sd), (rn, rk, rd) in zip(stub, runtime):
        if sn != rn or sk != rk:
            return False
        if (sd is _NO_DEFAULT) != (rd is _NO_DEFAULT):
            return False
        if sd is not _NO_DEFAULT and (type(sd) is not type(rd) or sd != rd):
            return False
    return True


def _fmt(params) -> str:
    parts = []
    for n, k, d in params:
        s = f"{n} [{k.name}]"
        if d is not _NO_DEFAULT:
            s += f"={d!r}"
        parts.append(s)
    return "(" + ", ".join(parts) + ")"


def _functions(body):
    return {n.name: n for n in body if isinstance(n, ast.FunctionDef)}


def _classes(body):
    return {n.name: n for n in body if isinstance(n, ast.ClassDef)}


def _assigned_names(body) -> set[str]:
    names = set()
    for n in body:
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            names.add(n.target.id)
        elif isinstance(n, ast.Assign):
            names.update(t.id for t in n.targets if isinstance(t, ast.Name))
    return names


def _reexported_names(body) -> set[str]:
    """Names a stub re-exports: ``from . import m as m``, ``import x as x``."""
    names = set()
    for n in body:
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update(a.asname for a in n.names if a.asname == a.name.split(".")[-1])
    return names


def _stub_all(tree: ast.Module) -> list[str]:
    for n in tree.body:
        if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets
        ):
            return list(ast.literal_eval(n.value))
    raise AssertionError("__init__.pyi has no __all__")


INIT = _stub("__init__.pyi")
CORE = _stub("_core.pyi")
INIT_FUNCS = _functions(INIT.body)
INIT_CLASSES = _classes(INIT.body)
CORE_FUNCS = _functions(CORE.body)


def _is_property(node: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def test_all_matches_runtime():
    assert _stub_all(INIT) == list(initfill.__all__)


def test_every_public_name_has_a_stub():
    declared = (set(INIT_FUNCS) | set(INIT_CLASSES) | _assigned_names(INIT.body)
                | _reexported_names(INIT.body))
    missing = [n for n in initfill.__all__ if n not in declared]
    assert not missing, f"names in initfill.__all__ without a stub: {missing}"
    public_stub = {n for n in declared if not n.startswith("_")}
    extra = sorted(public_stub - set(initfill.__all__))
    assert not extra, f"public names in the stub but not in initfill.__all__: {extra}"
    assert "__version__" in declared


@pytest.mark.parametrize("name", sorted(INIT_FUNCS))
def test_function_signature(name):
    runtime = getattr(initfill, name)
    stub = _stub_params(INIT_FUNCS[name])
    rt = _runtime_params(runtime)
    assert _same(stub, rt), f"initfill.{name}: stub {_fmt(stub)} != runtime {_fmt(rt)}"


def _class_members():
    for cname, cnode in sorted(INIT_CLASSES.items()):
        for fname, fnode in sorted(_functions(cnode.body).items()):
            yield cname, fname, fnode


@pytest.mark.parametrize(
    "cname,fname", [(c, f) for c, f, _ in _class_members()]
)
def test_method_signature(cname, fname):
    fnode = _functions(INIT_CLASSES[cname].body)[fname]
    attr = inspect.getattr_static(getattr(initfill, cname), fname)
    if _is_property(fnode):
        assert isinstance(attr, property), f"{cname}.{fname} is not a property at run time"
        return
    if isinstance(attr, (classmethod, staticmethod)):  # its function, cls included
        attr = attr.__func__
    stub = _stub_params(fnode)
    rt = _runtime_params(attr)
    assert _same(stub, rt), f"{cname}.{fname}: stub {_fmt(stub)} != runtime {_fmt(rt)}"


@pytest.mark.parametrize("cname", sorted(INIT_CLASSES))
def test_every_public_method_has_a_stub(cname):
    cls = getattr(initfill, cname)
    stubbed = set(_functions(INIT_CLASSES[cname].body))
    public = {n for n in vars(cls) if not n.startswith("_")}
    missing = sorted(public - stubbed)
    assert not missing, f"{cname} members without a stub: {missing}"


@pytest.mark.parametrize("name", sorted(CORE_FUNCS))
def test_core_signature(name):
    runtime = getattr(initfill._core, name)
    rt = _runtime_params(runtime)  # setup.py builds _core with signatures (binding)
    stub = _stub_params(CORE_FUNCS[name])
    assert _same(stub, rt), f"_core.{name}: stub {_fmt(stub)} != runtime {_fmt(rt)}"


def test_core_constants():
    kinds = {"int": int, "tuple[str, ...]": tuple}
    for n in CORE.body:
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            value = getattr(initfill._core, n.target.id)
            assert isinstance(value, kinds[ast.unparse(n.annotation)]), n.target.id
    public = {
        n for n, v in vars(initfill._core).items()
        if not n.startswith("_") and (callable(v) or isinstance(v, int))
        and getattr(v, "__module__", "initfill._core") == "initfill._core"
    }
    classes = {n.name for n in CORE.body if isinstance(n, ast.ClassDef)}
    declared = set(CORE_FUNCS) | _assigned_names(CORE.body) | classes
    missing = sorted(public - declared)
    assert not missing, f"initfill._core names without a stub: {missing}"
