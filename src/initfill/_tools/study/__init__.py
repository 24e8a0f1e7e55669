"""``initfill study``: the depth experiment (why initialization matters).

- :mod:`.network`: the NumPy MLP, its activations, forward and backward pass;
- :mod:`.specs`: the ``--init`` specs turned into initializer objects;
- :mod:`.experiment`: :func:`run_study` and its result;
- :mod:`.report`: the text tables and the figure;
- :mod:`.command`: the subcommand's options;
- :mod:`.torch_model`: ``--torch-model``, a user's torch model (imports torch; not
  imported here).
"""
from .experiment import StudyResult, Trace, run_study
from .network import ACTIVATIONS, Pass, activation, forward_backward, make_weights
from .report import format_table, plot_study
from .specs import DEFAULT_INITS, SPEC_HELP, parse_init

__all__ = ["ACTIVATIONS", "DEFAULT_INITS", "SPEC_HELP", "Pass", "StudyResult", "Trace",
           "activation", "forward_backward", "format_table", "make_weights",
           "parse_init", "plot_study", "run_study"]
