"""``nas.search.preflight``: device, recorded data, proxy length and the time estimate."""

from __future__ import annotations

import pytest

from nas.errors import NasError
from nas.search import preflight
from nas.search.ending import nothing_trained_reason
from nas.search.quick import QUICK_BATCH, QUICK_EPOCHS, QUICK_SUBSET, quick_proxy
from nas.search.space import as_space
from nas.train import preset


@pytest.mark.parametrize("device", ["tpu", "cuda:99", "nonsense"])
def test_missing_or_unknown_device_is_a_nas_error(device, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    with pytest.raises(NasError):
        preflight.check_device(device)


def test_cpu_and_auto_pass():
    preflight.check_device("cpu")
    preflight.check_device(None)


def test_short_proxy_warning_names_the_numbers():
    line = preflight.short_proxy_warning(5000, 1, 256)
    assert line is not None and "proxy trains 19 steps" in line
    assert "1 epochs x 5,000 images / batch 256" in line
    assert preflight.short_proxy_warning(45_000, 5, 256) is None


def test_quick_proxy_is_long_enough_and_yields_to_explicit_options():
    subset, epochs, batch = quick_proxy(None, None, None)
    assert (subset, epochs, batch) == (QUICK_SUBSET, QUICK_EPOCHS, QUICK_BATCH)
    assert preflight.short_proxy_warning(subset, epochs, batch) is None
    assert quick_proxy(3000, 2, 64) == (3000, 2, 64)


def test_estimate_line_counts_training_images():
    line = preflight.estimate_line(20, 5, 45_000, 900.0, "cpu")
    assert "4,500,000 training images" in line and "about 1.4 h on this cpu" in line
    capped = preflight.estimate_line(100_000, 2.37, 45_000, 900.0, "cpu", allowance=900_000)
    assert "--max-images: 900,000 training images left" in capped and "17 min" in capped


def test_an_estimate_past_an_hour_names_the_quicker_ways():
    # the mission's command on a CPU: 200 trials x 5 epochs x 45,000 images at 900 img/s
    line = preflight.estimate_line(200, 5, 45_000, 900.0, "cpu")
    assert "about 13.9 h on this cpu" in line
    ways = line.split("; quicker: ")[1]
    assert ways.startswith("--quick (the CPU quick start: 3 epochs on 20,000 images")
    assert "--max-images 3,200,000 (a compute allowance of about an hour here)" in ways
    assert "--trials 14 (about an hour)" in ways  # 14 x 225,000 images / 900 = 58 min
    assert ways.endswith(" or a CUDA GPU (--device cuda)")


def test_quicker_ways_name_only_what_would_help():
    assert "quicker" not in preflight.estimate_line(20, 5, 45_000, 1800.0, "cpu")  # 42 min
    assert "quicker" not in preflight.estimate_line(20, 5, 45_000, float("nan"), "cpu")
    # already quick-sized, on a GPU, one trial past the hour: only an allowance helps
    gpu = preflight.estimate_line(10, 3, 20_000, 10.0, "cuda")
    assert gpu.endswith("; quicker: --max-images 36,000 (a compute allowance of about an "
                        "hour here)")
    # an allowance set the estimate: fewer --trials would not shorten it
    capped = preflight.estimate_line(1000, 5, 45_000, 900.0, "cpu", allowance=9_000_000)
    assert "--max-images 3,200,000" in capped and "--trials" not in capped


def test_estimate_line_scales_with_workers_and_names_its_rate():
    line = preflight.estimate_line(20, 5, 45_000, 900.0, "cpu", workers=2,
                                   measured_on="this study's 5 trained candidates")
    assert "about 42 min" in line
    assert "~1,800 images/s (2 workers x ~900) measured on this study's 5 trained" in line


def _done(number, images, seconds, retry_of=None, status="trained"):
    from datetime import datetime, timedelta

    from optuna.trial import FrozenTrial, TrialState

    from nas.study.record import from_trial

    start = datetime(2026, 11, 30, 12, 0)
    attrs = {"status": status, "images": images}
    if retry_of is not None:
        attrs["retry_of"] = retry_of
    return from_trial(FrozenTrial(
        number=number, state=TrialState.COMPLETE, value=None, values=[0.5, 1000],
        datetime_start=start, datetime_complete=start + timedelta(seconds=seconds),
        params={}, distributions={}, user_attrs=attrs, system_attrs={},
        intermediate_values={}, trial_id=number))


def test_study_rate_is_images_over_trial_durations():
    trials = [_done(0, 20_000, 100), _done(1, 20_000, 60), _done(2, 10_000, 40)]
    assert preflight.study_rate(trials[:2]) is None  # too few to replace the typical net
    assert preflight.study_rate(trials) == (250.0, 3)
    # a retry resumed a checkpoint (its images include the dead run's), a rejected
    # candidate trained nothing: neither is a rate
    more = [*trials, _done(3, 900_000, 10, retry_of=1), _done(4, 0, 5, status="rejected")]
    assert preflight.study_rate(more) == (250.0, 3)
    # suspended for an hour mid-trial: 50 images/s against a median of 200
    assert preflight.study_rate([*trials, _done(5, 200_000, 4000)]) == (250.0, 3)


def test_expected_epochs_of_successive_halving():
    from nas.search.rungs import expected_epochs

    assert expected_epochs((1, 2, 7, 20), 3) == pytest.approx(1 + 1 / 3 + 5 / 9 + 13 / 27)
    assert expected_epochs((5,), 3) == 5  # one rung: every candidate trains it all
    assert expected_epochs((1, 3), 2) == pytest.approx(2.0)


def test_images_per_second_is_measured_on_a_typical_net(data):
    genome = preflight.typical_genome(as_space("small"), 30_000, data)
    ips = preflight.images_per_second(genome, data, preset("proxy", batch_size=16), "cpu")
    assert ips > 0


def test_the_typical_net_of_a_filling_search_is_filled(data):
    from nas.analysis import count_params

    plain = preflight.typical_genome(as_space("default"), 200_000, data)
    filled = preflight.typical_genome(as_space("default"), 200_000, data, fill_to=0.85)
    assert count_params(plain) < 170_000 <= count_params(filled) <= 200_000


def test_nothing_trained_reason_names_the_most_common_rejection(config, data):
    from nas.search import run_search

    summary = run_search(config(budget=2000, space="default", max_samples=5), data=data,
                         progress=False)
    assert summary.stats.counted == 0
    assert summary.nothing_trained is not None
    assert summary.nothing_trained.startswith("error: no candidate was trained: all 5")
    assert nothing_trained_reason([], 10).startswith("error: no candidate was trained")


def test_timeout_with_nothing_trained_says_so():
    assert "before --timeout" in nothing_trained_reason([], 10, "timeout")
