"""``nas search --quick``: a proxy sized for a CPU, so a first search ends in minutes.

The default proxy (5 epochs on 45,000 images) takes hours per 20 trials on a laptop CPU.
``--quick`` trains each candidate for one epoch on the first 8,000 images in batches of
128: 62 optimizer steps, above the ~50 under which nets score near chance, so the
ranking still means something. Measured: the median-sized net of the default space at
--budget 200k (126k params) scored 0.323 val acc on CIFAR-10 (chance 0.10) in 124 s on one
thread of a CPU shared with other training (2026-11-24, `nas train ... --epochs 1
--subset 8000 --batch-size 128`).
Options given explicitly win over these values.
"""

from __future__ import annotations

QUICK_SUBSET = 8_000  # training images per proxy
QUICK_EPOCHS = 1  # proxy epochs
QUICK_BATCH = 128  # images per step: 8,000 / 128 = 62 steps
QUICK_HELP = (f"CPU-sized proxy: {QUICK_EPOCHS} epoch on the first {QUICK_SUBSET:,} training "
              f"images, batches of {QUICK_BATCH} (~{QUICK_SUBSET // QUICK_BATCH} steps); "
              "--subset/--proxy-epochs/--batch-size override it. Rankings are noisier than "
              "the default proxy's.")


def quick_proxy(subset: int | None, epochs: int | None, batch: int | None
                ) -> tuple[int, int, int]:
    """(subset, proxy epochs, batch size): the quick values where none was given."""
    return (subset or QUICK_SUBSET, epochs or QUICK_EPOCHS, batch or QUICK_BATCH)
