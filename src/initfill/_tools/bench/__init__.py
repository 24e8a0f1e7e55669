"""``initfill bench``: initfill's fill speed next to its installed peers, on this machine.

- :mod:`.cases`: what is measured (operations, dtypes, :class:`~.cases.Case`) and the
  shared :class:`~.cases.Workspace` of buffers;
- :mod:`.implementations`: how initfill and each peer (NumPy, SciPy, torch, JAX)
  performs each operation, and the cases of each operation;
- :mod:`.options`: :class:`~.options.BenchOptions` and the ``--size``/``--only`` parsers;
- :mod:`.run`: the planner (:func:`~.run.plan`, also used by ``benches/``) and the runner;
- :mod:`.report`: the text report, JSON document and bar chart;
- :mod:`.machine`: what the report says about the machine;
- :mod:`.model_init`: ``--model``, whole-model init of a Llama-shaped model;
- :mod:`.command`: the subcommand's options.
"""
