"""``initfill bench``: initfill's fill speed next to its installed peers, on this machine.

- :mod:`.cases`: what is measured (operations, dtypes) and how each implementation
  (initfill, NumPy, SciPy, torch, JAX) performs it, on a shared :class:`~.cases.Workspace`;
- :mod:`.options`: :class:`~.options.BenchOptions` and the ``--size``/``--only`` parsers;
- :mod:`.run`: the planner (:func:`~.run.plan`, also used by ``benches/``) and the runner;
- :mod:`.report`: the text report, JSON document and bar chart;
- :mod:`.machine`: what the report says about the machine;
- :mod:`.model_init`: ``--model``, whole-model init of a Llama-shaped model;
- :mod:`.command`: the subcommand's options.
"""
