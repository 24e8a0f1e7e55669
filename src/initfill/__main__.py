"""``python -m initfill ...``: the same as the ``initfill`` command."""
import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
