"""Fixtures shared by several test files."""
import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """Small tensors: one thread is as fast, and steadier on a shared machine.
    A test module asks for it with ``pytestmark = pytest.mark.usefixtures(...)``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
