"""The command-line tools (``initfill._tools``) use only initfill's public API.

Every import of initfill in ``src/initfill/_tools`` and every attribute taken from an
imported initfill module must be a public name (no leading underscore), apart from
``initfill._tools`` itself; the library must not import the tools.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "initfill"
TOOLS = SRC / "_tools"
TOOL_FILES = sorted(TOOLS.rglob("*.py"))


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module an ``import from`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = _module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _private(dotted: str) -> bool:
    """Whether an initfill module path reaches a private name outside the tools."""
    parts = dotted.split(".")
    if parts[0] != "initfill" or parts[1:2] == ["_tools"]:
        return False
    return any(p.startswith("_") and not (p.startswith("__") and p.endswith("__"))
               for p in parts[1:])


def private_uses(path: Path, source: str | None = None) -> list[str]:
    """``file:line: what`` for each private initfill name the file at ``path`` (or
    ``source``, read as if it stood there) imports or reads."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    bound: dict[str, str] = {}          # local name -> the initfill module it stands for
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if _private(a.name):
                    found.append(f"{path.name}:{node.lineno}: import {a.name}")
                if a.name.split(".")[0] == "initfill":
                    bound[a.asname or "initfill"] = a.name if a.asname else "initfill"
        elif isinstance(node, ast.ImportFrom):
            mod = _absolute(node, path)
            for a in node.names:
                full = f"{mod}.{a.name}"
                if _private(mod) or _private(full):
                    found.append(f"{path.name}:{node.lineno}: from {mod} import {a.name}")
                elif mod.split(".")[0] == "initfill":
                    bound[a.asname or a.name] = full
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and _private(f"{bound[node.value.id]}.{node.attr}")):
            found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_scan_sees_the_tools():
    names = {p.relative_to(TOOLS).as_posix() for p in TOOL_FILES}
    assert {"cli.py", "bench/cases.py", "study/experiment.py"} <= names


@pytest.mark.parametrize("path", TOOL_FILES, ids=lambda p: p.relative_to(TOOLS).as_posix())
def test_tools_import_only_public_names(path):
    assert private_uses(path) == []


def test_the_scan_catches_private_names():
    source = ("import initfill\nimport initfill._core\nfrom initfill import _init\n"
              "from ... import _generator\nfrom initfill.initializers import _x\n"
              "from .. import table\nfrom .cases import OPS\nimport initfill.torch as it\n"
              "initfill._core.x\nit._drop_ins\ninitfill.__version__\ninitfill.Generator\n")
    found = private_uses(TOOLS / "bench" / "probe.py", source)
    assert sorted(f.split(": ", 1)[1] for f in found) == sorted([
        "import initfill._core", "from initfill import _init",
        "from initfill import _generator", "from initfill.initializers import _x",
        "initfill._core", "it._drop_ins"])


def test_the_library_does_not_import_the_tools():
    for path in sorted(SRC.glob("*.py")) + sorted(SRC.glob("torch/*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert "_tools" not in (node.module or ""), path.name
            elif isinstance(node, ast.Import):
                assert not any("_tools" in a.name for a in node.names), path.name
