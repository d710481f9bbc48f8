"""Data: ``load_dataset(spec)`` -> ``Dataset`` of uint8 tensors, and on-device augmentation.

Splits: the last min(5000, 10%) training images validate, the rest train; the test set is
for final evaluation only. See ``nas.data.dataset`` for the rule and ``nas.data.augment``
for the batched crop/flip/cutout.
"""

from nas.data.augment import Normalizer, TrainLoader, eval_batches, normalize
from nas.data.dataset import Dataset, val_size
from nas.data.errors import DataError
from nas.data.load import load_dataset
from nas.data.sources import ENV_NPZ
from nas.data.synthetic import make_synthetic, save_npz, write_synthetic_npz

__all__ = ["ENV_NPZ", "DataError", "Dataset", "Normalizer", "TrainLoader", "eval_batches",
           "load_dataset", "make_synthetic", "normalize", "save_npz", "val_size",
           "write_synthetic_npz"]
