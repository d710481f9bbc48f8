"""What training reports: per-epoch ``EpochMetrics``, the final ``TrainResult``, divergence."""

from __future__ import annotations

from dataclasses import dataclass, field


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite: the trial failed (not a user error)."""

    def __init__(self, epoch: int, step: int, loss: float) -> None:
        super().__init__(f"training diverged at epoch {epoch}, step {step}: loss {loss}")
        self.epoch, self.step, self.loss = epoch, step, loss


@dataclass(frozen=True)
class EpochMetrics:
    """One finished epoch. Accuracies are fractions (0..1); train figures are on augmented
    batches with label smoothing, val figures on the validation split (TTA if enabled);
    ``lr`` is the last step's; ``seconds`` is the epoch's wall time incl. validation.
    ``val_acc_stale`` is the validation accuracy with the running BN statistics training
    left, before recalibration (only when ``TrainConfig.eval_stale``)."""

    epoch: int  # 1-based
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    lr: float
    seconds: float
    val_acc_stale: float | None = None


@dataclass
class TrainResult:
    """The outcome of ``train``: last-epoch validation figures and the whole history.

    ``seconds`` adds up every run segment of a resumed training (wall clock, so a paused
    process counts its pause); ``cpu_seconds`` is the process CPU time of the same (user +
    system, all threads), which a pause does not add to: the compute a run cost. None when
    it resumed a checkpoint written before ``nas`` recorded it. ``images_per_sec`` is the
    training throughput (augmentation and steps, no validation).
    """

    val_acc: float
    val_loss: float
    epochs: int  # epochs completed
    seconds: float
    stopped_early: bool
    history: list[EpochMetrics] = field(default_factory=list)
    images_per_sec: float = 0.0
    cpu_seconds: float | None = None
