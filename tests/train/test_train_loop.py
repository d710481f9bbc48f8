import pytest
import torch
from torch import nn

from nas.builder import build
from nas.data import make_synthetic
from nas.errors import NasError
from nas.genome import Genome
from nas.train import (
    CheckpointError,
    EpochMetrics,
    TrainingDiverged,
    evaluate,
    pick_device,
    preset,
    train,
)

GENOME = "cv_c8/cv_c16_s2/head"


@pytest.fixture(scope="module")
def data():
    return make_synthetic(n_train=320, n_val=64, n_test=64, image_size=8, num_classes=3)


def net(seed=0, genome=GENOME):
    torch.manual_seed(seed)
    return build(Genome.from_string(genome).replace_head(c=3))


def cfg(**kw):
    return preset("proxy", **{"epochs": 3, "batch_size": 64, "lr": 0.1, **kw})


def test_one_epoch_beats_chance_and_reports_metrics(data):
    r = train(net(), data, cfg(epochs=1), progress="none")
    assert r.epochs == 1 and not r.stopped_early and len(r.history) == 1
    m = r.history[0]
    assert m.epoch == 1 and 0 <= m.train_acc <= 1 and m.seconds > 0
    assert r.val_acc == m.val_acc > 0.5  # 3 classes: chance is 1/3
    assert r.images_per_sec > 0


def test_callback_stops_training(data):
    seen: list[EpochMetrics] = []

    def stop_at_2(m):
        seen.append(m)
        return m.epoch == 2

    r = train(net(), data, cfg(epochs=4), callbacks=[stop_at_2], progress="none")
    assert r.stopped_early and r.epochs == 2 and [m.epoch for m in seen] == [1, 2]


def test_killed_run_resumes_to_the_same_final_state(data, tmp_path):
    config = cfg(epochs=3, ema=0.9)
    whole = net()
    ref = train(whole, data, config, checkpoint=tmp_path / "a.pt", progress="none")

    first = net()
    part = train(first, data, config, callbacks=[lambda m: m.epoch == 1],
                 checkpoint=tmp_path / "b.pt", progress="none")
    assert part.epochs == 1
    resumed_net = net(seed=123)  # another init: the checkpoint must overwrite it
    seen = []
    resumed = train(resumed_net, data, config, callbacks=[lambda m: seen.append(m.epoch)],
                    checkpoint=tmp_path / "b.pt", progress="none")
    assert seen == [2, 3] and resumed.epochs == 3
    assert [m.val_acc for m in resumed.history] == pytest.approx([m.val_acc for m in ref.history])
    for (k, a), b in zip(whole.state_dict().items(), resumed_net.state_dict().values(),
                            strict=True):
        assert torch.allclose(a.float(), b.float(), atol=1e-5), k

    again = train(net(seed=5), data, config, checkpoint=tmp_path / "b.pt", progress="none")
    assert again.epochs == 3 and again.history == resumed.history  # finished: no training


def test_cpu_seconds_add_up_over_a_resume_and_are_unknown_from_an_older_checkpoint(
        data, tmp_path):
    # CPU time is the compute a run cost: unlike wall seconds, a SIGSTOP pause adds none
    path, old = tmp_path / "c.pt", tmp_path / "old.pt"
    part = train(net(), data, cfg(), callbacks=[lambda m: m.epoch == 1], checkpoint=path,
                 progress="none")
    assert part.cpu_seconds > 0
    state = torch.load(path, weights_only=False)
    del state["cpu_seconds"]  # as written before nas recorded it
    torch.save(state, old)
    whole = train(net(), data, cfg(), checkpoint=path, progress="none")
    assert part.cpu_seconds < whole.cpu_seconds
    assert train(net(), data, cfg(), checkpoint=old, progress="none").cpu_seconds is None


def test_checkpoint_of_another_genome_or_config_is_refused(data, tmp_path):
    path = tmp_path / "c.pt"
    train(net(), data, cfg(epochs=1), checkpoint=path, progress="none")
    with pytest.raises(CheckpointError, match="genome"):
        train(net(genome="cv_c8/head"), data, cfg(epochs=1), checkpoint=path, progress="none")
    with pytest.raises(CheckpointError, match=r"lr=0\.1"):
        train(net(), data, cfg(epochs=1, lr=0.2), checkpoint=path, progress="none")


class NaNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, 3)
        nn.init.constant_(self.fc.weight, float("nan"))

    def forward(self, x):
        return self.fc(x.flatten(1))


def test_nan_loss_raises_training_diverged_not_a_user_error(data):
    with pytest.raises(TrainingDiverged) as e:
        train(NaNNet(), data, cfg(epochs=1), progress="none")
    assert not isinstance(e.value, NasError) and e.value.epoch == 1


def test_evaluate_returns_loss_and_fraction_and_keeps_mode(data):
    model = net()
    train(model, data, cfg(epochs=1), progress="none")
    model.train()
    for split in ("val", "test"):
        for tta in (True, False):
            loss, acc = evaluate(model, data, split, tta=tta)
            assert loss > 0 and 0 <= acc <= 1
    assert model.training
    with pytest.raises(NasError, match="split 'dev'"):
        evaluate(model, data, "dev")


def test_plain_progress_prints_one_line_per_epoch(data, capsys):
    train(net(), data, cfg(epochs=2), progress="plain")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[1].startswith("epoch 2/2")
    with pytest.raises(NasError, match="progress"):
        train(net(), data, cfg(epochs=1), progress="loud")


def test_pick_device():
    assert pick_device("cpu").type == "cpu"
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(NasError, match="CUDA is not available"):
            pick_device("cuda")
