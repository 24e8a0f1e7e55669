"""Every Python code block of README.md and docs/*.md runs, so no snippet can rot.

The blocks of one file run in order, in one namespace, in a temporary working
directory (files a snippet writes land there).  A fenced block runs when its info
string is ``python``; a block whose first line starts with ``>>>`` runs as a doctest
(its outputs are compared).  Blocks that are not Python say so (``sh``, ``c``,
``cython``, ``text``, ...).  A block that needs an optional package has a marker on
the line before its fence::

    <!-- requires: torch -->

and the file's test is marked to skip, naming the package, only when that package
cannot be imported (CI installs every one).  ``run_blocks`` itself passes over such a
block and reports it, so that later blocks of a file must not depend on a block
that can be passed over unless they are marked too.
"""
from __future__ import annotations

import doctest
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Info strings of blocks that are not run; anything else is an error, so that an
# unlabelled or misspelled Python block cannot escape the test.
NOT_RUN = {"sh", "c", "cpp", "cython", "text", "cmake", "json", "toml", "make"}
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_REQUIRES = re.compile(r"^<!--\s*requires:\s*(?P<names>[\w., ]+?)\s*-->$")


@dataclass
class Block:
    """One fenced code block: its info string, first code line (1-based), code."""

    info: str
    line: int
    code: str
    requires: tuple[str, ...]


def parse_blocks(text: str) -> list[Block]:
    """Return the fenced code blocks of a Markdown text, in order.

    Raises ``ValueError`` for an unclosed fence or a ``requires`` marker that is not
    directly followed by a fence.
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, info = m["fence"], m["info"].strip()
        requires: tuple[str, ...] = ()
        if i > 0:
            req = _REQUIRES.match(lines[i - 1].strip())
            if req is not None:
                requires = tuple(n.strip() for n in req["names"].split(",") if n.strip())
        start = i + 1
        j = start
        while j < len(lines):
            close = _FENCE.match(lines[j])
            if (close is not None and close["fence"][0] == fence[0]
                    and len(close["fence"]) >= len(fence) and not close["info"].strip()):
                break
            j += 1
        else:
            raise ValueError(f"line {i + 1}: the code block is never closed")
        blocks.append(Block(info, start + 1, "\n".join(lines[start:j]) + "\n", requires))
        i = j + 1
    for n, line in enumerate(lines):
        if _REQUIRES.match(line.strip()) and (
                n + 1 >= len(lines) or _FENCE.match(lines[n + 1]) is None):
            raise ValueError(f"line {n + 1}: a requires marker must be followed by a fence")
    return blocks


def _missing(names: tuple[str, ...]) -> str | None:
    """The first of `names` that cannot be imported, or None."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def run_blocks(path: Path, blocks: list[Block]) -> list[str]:
    """Run the Python blocks of one file in one namespace; return the skip reasons.

    A block that raises makes this raise (with the Markdown file and line in the
    traceback); a doctest block whose output differs fails the test.
    """
    namespace: dict = {"__name__": "__doc_snippets__"}
    skipped: list[str] = []
    for block in blocks:
        if block.info != "python":
            continue
        absent = _missing(block.requires)
        if absent is not None:
            skipped.append(f"line {block.line}: {absent} is not installed")
            continue
        if block.code.lstrip().startswith(">>>"):
            _run_doctest(path, block, namespace)
        else:
            # Pad with newlines so that tracebacks give the line in the .md file.
            source = "\n" * (block.line - 1) + block.code
            exec(compile(source, str(path), "exec"), namespace)
    return skipped


def _run_doctest(path: Path, block: Block, namespace: dict) -> None:
    test = doctest.DocTestParser().get_doctest(
        block.code, namespace, f"{path.name}:{block.line}", str(path), block.line - 1)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=False)
    namespace.update(test.globs)
    if runner.failures:
        pytest.fail(f"{path.name}:{block.line}: doctest failed\n" + "".join(report),
                    pytrace=False)


def _file_case(path: Path):
    """`path` as a test case, marked to skip when a package its blocks need is absent."""
    needed = sorted({n for b in parse_blocks(path.read_text(encoding="utf-8"))
                     if b.info == "python" for n in b.requires})
    absent = _missing(tuple(needed))
    return pytest.param(path, id=str(path.relative_to(ROOT)), marks=pytest.mark.skipif(
        absent is not None, reason=f"{path.name} has blocks that need {absent}"))


@pytest.mark.parametrize("path", [_file_case(p) for p in DOC_FILES])
def test_python_blocks_run(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_blocks(path, parse_blocks(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_says_what_it_is(path):
    for block in parse_blocks(path.read_text(encoding="utf-8")):
        assert block.info == "python" or block.info in NOT_RUN, (
            f"{path.name}:{block.line}: code block with info string {block.info!r}: "
            f"use python (run by this test) or one of {sorted(NOT_RUN)}")
        assert not block.requires or block.info == "python", (
            f"{path.name}:{block.line}: a requires marker on a block that never runs")


def test_docs_exist():
    assert (ROOT / "docs" / "design.md").is_file()
    assert len(DOC_FILES) > 2


_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text (outside code)."""
    anchors = set()
    in_code = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    text = path.read_text(encoding="utf-8")
    for m in _LINK.finditer(text):
        target, _, anchor = m["target"].partition("#")
        if re.match(r"^[a-z]+:", target):
            continue  # a URL
        page = path if not target else path.parent / target
        assert page.exists(), f"{path.name}: broken link {m['target']}"
        if anchor and page.suffix == ".md":
            assert anchor in heading_anchors(page.read_text(encoding="utf-8")), (
                f"{path.name}: link {m['target']}: no such heading")


def test_ci_runs_the_readme_test_command():
    ci = ROOT / ".ci" / "run"  # shipped in the sdist too (MANIFEST.in)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [b.code.strip() for b in parse_blocks(readme)
                if b.info == "sh" and "pytest" in b.code]
    assert commands, "README.md gives no test command"
    assert commands[0] in ci.read_text(encoding="utf-8").splitlines()


def test_parser_and_runner_catch_broken_snippets(tmp_path):
    text = ("x\n<!-- requires: a_module_that_is_not_there -->\n```python\nimport nope\n```\n"
            "```python\nvalue = 41\n```\n"
            "```python\n>>> value + 1\n42\n```\n"
            "```python\nraise RuntimeError('broken snippet')\n```\n")
    blocks = parse_blocks(text)
    assert [b.line for b in blocks] == [4, 7, 10, 14]
    assert blocks[0].requires == ("a_module_that_is_not_there",)
    with pytest.raises(RuntimeError, match="broken snippet"):
        run_blocks(tmp_path / "fake.md", blocks)
    assert run_blocks(tmp_path / "fake.md", blocks[:3]) == [
        "line 4: a_module_that_is_not_there is not installed"]
    wrong = parse_blocks("```python\n>>> 1 + 1\n3\n```\n")
    with pytest.raises(pytest.fail.Exception, match="doctest failed"):
        run_blocks(tmp_path / "fake.md", wrong)
    with pytest.raises(ValueError, match="never closed"):
        parse_blocks("```python\nx = 1\n")
