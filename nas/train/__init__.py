"""Training: ``train(model, data, config, callbacks)`` and ``evaluate``, no Optuna inside.

``preset("proxy")`` (5 epochs) ranks candidates; ``preset("full")`` (40 epochs) trains
finalists; both take overrides. ``nas.train.run.train_model`` is what ``nas train`` calls.
"""

from nas.train.checkpoint import CheckpointError
from nas.train.config import PRESETS, ConfigError, TrainConfig, preset
from nas.train.device import pick_device
from nas.train.evaluate import evaluate
from nas.train.loop import Callback, train
from nas.train.metrics import EpochMetrics, TrainingDiverged, TrainResult
from nas.train.step import Stepper

__all__ = ["PRESETS", "Callback", "CheckpointError", "ConfigError", "EpochMetrics", "Stepper",
           "TrainConfig", "TrainResult", "TrainingDiverged", "evaluate", "pick_device",
           "preset", "train"]
