import platform
import sys

import pytest
import torch

from nas.train import memory


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_keep_freed_memory_applies_on_glibc_and_is_idempotent():
    assert memory.keep_freed_memory() is True
    assert memory.keep_freed_memory() is True
    x = torch.ones(64, 1024, 1024)  # 256 MiB: above any mmap threshold, now on the heap
    assert float(x.sum()) == 64 * 1024 * 1024
    del x


def test_keep_freed_memory_is_a_no_op_off_linux(monkeypatch):
    monkeypatch.setattr(memory, "_done", False)
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.keep_freed_memory() is False
