"""The ``initfill`` command-line tools (``initfill bench``, ``initfill study``).

Not part of the library: these modules use only initfill's public API (``initfill``,
``initfill.initializers``, ``initfill.torch``), as any other program would, so the
library never depends on them.  ``tests/test_tools_imports.py`` checks that.

- :mod:`.cli`: the ``initfill`` command and its subcommands;
- :mod:`.bench`: ``initfill bench`` (fill speed next to NumPy, SciPy, torch, JAX;
  ``--model``: whole-model init);
- :mod:`.study`: ``initfill study`` (the depth experiment);
- :mod:`.argtypes`, :mod:`.table`, :mod:`.plotting`, :mod:`.output`: what both
  commands share (argument types, text tables, figures, writing files).
"""
