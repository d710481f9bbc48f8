import signal

import pytest
import torch

# Tests that send Ctrl-C to a subprocess need SIGINT to reach it. A shell's background job
# (`bash .ci/run &`, no job control) starts with SIGINT ignored, and an ignored signal
# stays ignored across exec, so every child would ignore Ctrl-C too. A Python handler is
# reset to the default at exec: children then start with Ctrl-C working.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tests use tiny tensors: extra threads only add synchronisation on shared CI cores."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
