"""``evaluate(model, data, split)`` -> (mean cross-entropy, accuracy as a fraction)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from nas.data import Dataset, eval_batches
from nas.errors import NasError
from nas.train.device import amp_dtype

SPLITS = ("train", "val", "test")


@torch.inference_mode()
def evaluate(model: nn.Module, data: Dataset, split: str = "val", batch_size: int = 1000,
             tta: bool = True, amp: str = "auto",
             channels_last: bool = True) -> tuple[float, float]:
    """Loss (plain cross-entropy, no smoothing) and accuracy (0..1) on ``split``.

    ``tta`` averages the logits of each image and its mirror image. Runs in eval mode on
    the model's device and restores the model's train/eval mode afterwards. The test
    split is for final evaluation only: searches rank on 'val'.
    """
    if split not in SPLITS:
        raise NasError(f"split {split!r}: expected one of {', '.join(SPLITS)}")
    device = next(model.parameters()).device
    data = data.to(device)
    dtype = amp_dtype(amp, device)
    was_training = model.training
    model.eval()
    loss = torch.zeros((), device=device, dtype=torch.float64)
    correct = torch.zeros((), device=device, dtype=torch.int64)
    try:
        for x, y in eval_batches(data, split, batch_size, channels_last):
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                out = model(x)
                if tta:
                    out = (out + model(x.flip(3))) / 2
            out = out.float()
            loss += F.cross_entropy(out, y, reduction="sum")
            correct += (out.argmax(1) == y).sum()
    finally:
        model.train(was_training)
    n = max(1, len(getattr(data, f"y_{split}")))
    return loss.item() / n, correct.item() / n
