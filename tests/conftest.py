"""Fixtures shared by several test files, and the suite's process set-up."""
import signal

import pytest


def pytest_configure(config):
    """Ctrl-C as in an interactive session, for the suite and every child it starts.

    A job started with ``&`` by a non-interactive shell (``nohup ... &``, some CI
    runners) inherits SIGINT ignored; Python keeps it ignored, and so would every
    subprocess a test starts.  A handled signal is reset to its default at ``exec``,
    so with Python's handler here each child installs its own and the Ctrl-C tests
    (test_interrupts, test_torch_save_random) see KeyboardInterrupt.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Small tensors: one thread is as fast, and steadier on a shared machine.
    A test module asks for it with ``pytestmark = pytest.mark.usefixtures(...)``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
