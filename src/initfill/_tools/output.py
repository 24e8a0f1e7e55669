"""What the subcommands share about talking back: error lines, and files they write."""
from __future__ import annotations

import json
import os
import sys
from typing import Any

__all__ = ["check_writable", "error", "write_json"]


def error(command: str, message: str) -> None:
    """Print ``initfill COMMAND: error: MESSAGE`` on stderr."""
    print(f"initfill {command}: error: {message}", file=sys.stderr)


def check_writable(path: str) -> str | None:
    """None if ``path`` can be written, else the reason (the file is left as it was)."""
    existed = os.path.exists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as e:
        return e.strerror or str(e)
    if not existed:
        os.remove(path)
    return None


def write_json(doc: dict[str, Any], path: str) -> None:
    """Write ``doc`` as indented JSON to ``path`` (OSError when it cannot)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, allow_nan=False)
        f.write("\n")
