"""Mixed precision: which dtype each mode means on each device; bf16 training on CPU."""

import pytest
import torch

from nas.builder import build
from nas.data import make_synthetic
from nas.train import preset, train
from nas.train.device import amp_dtype

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


@pytest.mark.parametrize(("mode", "want"), [("auto", None), ("none", None), ("fp16", None),
                                            ("bf16", torch.bfloat16)])
def test_cpu_uses_bf16_only_when_asked(mode, want):
    assert amp_dtype(mode, CPU) is want


def test_cuda_modes(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert amp_dtype("auto", CUDA) is torch.float16
    assert amp_dtype("bf16", CUDA) is torch.bfloat16
    assert amp_dtype("none", CUDA) is None


def test_bf16_training_on_cpu_keeps_fp32_weights_and_learns():
    torch.manual_seed(0)
    data = make_synthetic(n_train=256, n_val=64, n_test=64, image_size=8, num_classes=3)
    net = build("cv_c8/cv_c16_s2/head_c3_i3")
    r = train(net, data, preset("full", epochs=3, batch_size=64, amp="bf16"), progress="none")
    assert all(p.dtype == torch.float32 for p in net.parameters())
    assert all(torch.isfinite(torch.tensor(m.train_loss)) for m in r.history)
    assert r.val_acc > 0.5  # 3 easy synthetic classes: chance is 1/3
