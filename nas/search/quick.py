"""``nas search --quick``: the best-ranking proxy a CPU affords, so a first search means something.

The default proxy (5 epochs on 45,000 images) takes hours per 20 trials on a laptop CPU.
``--quick`` trains each candidate for 3 epochs on the first 20,000 images in batches of
256 (234 optimizer steps, 60,000 images: 1/11 of the 15-epoch reference). It is the
fidelity study's ``e3_s20k`` (results/fidelity/README.md, 22 architectures of the
default space at 200k on the CIFAR-10 copy): Kendall tau 0.30 [0.01, 0.54] against the
15-epoch reference, where 2 epochs on 10,000 images scored 0.07 and 1 epoch on 10,000
-0.08 (the ``--quick`` of before, 1 epoch on 8,000 images, ranked like that: no better
than chance). Median 134 s per candidate on one thread of an Intel Xeon.
Options given explicitly win over these values.
"""

from __future__ import annotations

QUICK_SUBSET = 20_000  # training images per proxy
QUICK_EPOCHS = 3  # proxy epochs
QUICK_BATCH = 256  # images per step: 3 x 20,000 / 256 = 234 steps
_STEPS = QUICK_EPOCHS * QUICK_SUBSET // QUICK_BATCH
QUICK_HELP = (f"CPU-sized proxy: {QUICK_EPOCHS} epochs on the first {QUICK_SUBSET:,} "
              f"training images, batches of {QUICK_BATCH} (~{_STEPS} steps; the "
              "best-ranking cheap run of results/fidelity); "
              "--subset/--proxy-epochs/--batch-size override it.")


def quick_proxy(subset: int | None, epochs: int | None, batch: int | None
                ) -> tuple[int, int, int]:
    """(subset, proxy epochs, batch size): the quick values where none was given."""
    return (subset or QUICK_SUBSET, epochs or QUICK_EPOCHS, batch or QUICK_BATCH)
