import dataclasses
import itertools

import pytest

from nas.errors import NasError
from nas.train import ConfigError, TrainConfig, preset
from nas.train.schedule import lr_factor


def test_presets_and_overrides():
    assert preset("proxy").epochs < preset("full").epochs
    c = preset("full", epochs=3, lr=0.05, batch_size=None)
    assert (c.epochs, c.lr, c.batch_size) == (3, 0.05, TrainConfig().batch_size)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.epochs = 4


@pytest.mark.parametrize(("call", "match"), [
    (lambda: preset("huge"), "unknown preset 'huge'"),
    (lambda: preset("proxy", epoch=3), "unknown training option 'epoch'"),
    (lambda: preset("proxy", schedule="step"), "schedule 'step'"),
    (lambda: preset("proxy", epochs=0), "epochs"),
    (lambda: preset("proxy", amp="int8"), "amp 'int8'"),
])
def test_bad_config_is_a_user_error(call, match):
    with pytest.raises(ConfigError, match=match) as e:
        call()
    assert isinstance(e.value, NasError)


@pytest.mark.parametrize("schedule", ["onecycle", "cosine"])
def test_schedule_warms_up_peaks_and_ends_near_zero(schedule):
    c = TrainConfig(schedule=schedule, warmup=0.2)
    f = [lr_factor(s, 100, c) for s in range(100)]
    assert f[0] < 0.2 and max(f) == pytest.approx(1.0)
    assert f.index(max(f)) == 19
    assert all(a <= b for a, b in itertools.pairwise(f[:20]))  # rising
    assert all(a >= b for a, b in itertools.pairwise(f[20:]))  # falling
    assert f[-1] < 1e-6
