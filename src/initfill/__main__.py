"""``python -m initfill ...``: the same as the ``initfill`` command."""
import sys

from initfill._tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
