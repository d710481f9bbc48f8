"""``nas search --strategy sh`` in real processes (``sh_driver.py``) and what every such
study must satisfy, whatever the interleaving of its workers (``check_sh_study``)."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from optuna.trial import FrozenTrial, TrialState

from nas.data import make_synthetic, save_npz
from nas.data.augment import epoch_images
from nas.search.rungs import Entry, promoted, rung_epochs
from nas.study.record import Status, TrialRecord, as_record
from tests.reliability import helpers

SH_DRIVER = Path(__file__).with_name("sh_driver.py")
MIN_EPOCHS, MAX_EPOCHS, ETA = 1, 4, 2
RUNGS = rung_epochs(MIN_EPOCHS, MAX_EPOCHS, ETA)  # (1, 2, 4)
N_TRAIN, BATCH = 64, 32
EPOCH_IMAGES = epoch_images(N_TRAIN, BATCH)


def tiny_npz(path: Path) -> Path:
    """64 training images (2 steps of 32 per epoch), 40 validation, 16 px, 4 classes."""
    return save_npz(make_synthetic(n_train=N_TRAIN, n_val=40, n_test=16, image_size=16,
                                   num_classes=4, seed=0), path)


def sh_args(storage: str | Path, study: str, data: Path, trials: int) -> tuple[str, ...]:
    """``nas search --strategy sh`` on the small space, rungs 1, 2, 4 epochs (eta 2)."""
    return ("search", "--budget", helpers.BUDGET, "--space", "small", "--sampler", "random",
            "--strategy", "sh", "--pareto", "--min-epochs", str(MIN_EPOCHS), "--max-epochs",
            str(MAX_EPOCHS), "--eta", str(ETA), "--batch-size", str(BATCH), "--no-zero-cost",
            "--trials", str(trials), "--storage", str(storage), "--study", study,
            "--data", str(data), "--quiet", "--fill", "0")


def run(*args: str, cwd: Path, timeout: float = 300, **extra: object
        ) -> subprocess.CompletedProcess:
    """``nas args`` to completion through ``sh_driver.py`` (hooks from ``extra``)."""
    return subprocess.run([sys.executable, str(SH_DRIVER), *args], cwd=cwd,
                          env=helpers.env(**extra), capture_output=True, text=True,
                          timeout=timeout)


def start(*args: str, cwd: Path, log: Path, **extra: object) -> subprocess.Popen:
    """``nas args`` in the background through ``sh_driver.py``, output to ``log``."""
    f = log.open("w")
    return subprocess.Popen([sys.executable, str(SH_DRIVER), *args], cwd=cwd,
                            env=helpers.env(**extra), stdout=f, stderr=subprocess.STDOUT,
                            text=True)


def epoch_log(path: Path) -> list[tuple[str, int, int]]:
    """``NAS_TEST_SH_LOG`` lines: (arch_id, epochs in the saved checkpoint, pid)."""
    if not path.exists():
        return []
    return [(a, int(e), int(p)) for a, e, p in (line.split() for line in
                                                 path.read_text().splitlines())]


def epochs_by_arch(log: list[tuple[str, int, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for arch, epoch, _ in log:
        out[arch].append(epoch)
    return dict(out)


def assert_each_epoch_trained_once(log: list[tuple[str, int, int]]) -> None:
    """Every architecture's checkpoints were saved for epochs 1, 2, ... k, each once: no
    epoch of any run was trained twice (a resumed run continues after its last one)."""
    for arch, epochs in epochs_by_arch(log).items():
        assert epochs == list(range(1, len(epochs) + 1)), (arch, epochs)


def sh_records(ts: list[FrozenTrial]) -> list[TrialRecord]:
    return [as_record(t) for t in ts]


def check_sh_study(ts: list[FrozenTrial], n: int) -> list[TrialRecord]:
    """Assert what must hold of a finished sh study of ``n`` trials, however its workers
    interleaved; returns its counted records.

    - exactly ``n`` counted trials, all ``trained`` (COMPLETE), one per architecture,
      none RUNNING or WAITING;
    - each one's rung attrs agree: ``rung``, ``rung_accs`` (one per rung reached),
      ``halted`` (below the top rung), ``epochs`` and ``images`` (the rung's), the
      objective values, the per-epoch ``curve`` and the intermediate values (one per rung
      reached, at the rung's epoch: what the dashboard draws);
    - each promotion decision is the one ``nas.search.rungs.promoted`` takes on a field
      the trial can have seen (``check_promotions``).
    """
    rs = sh_records(ts)
    summary = helpers.summary(ts)
    counted = [r for r in rs if r.is_counted]
    assert len(counted) == n, summary
    assert not [r for r in rs if r.running], summary
    assert all(r.status == Status.TRAINED and r.state == TrialState.COMPLETE
               for r in counted), summary  # sh never stops a trial: halted ones complete
    assert len({r.arch_id for r in counted}) == n, summary  # no architecture twice
    assert len({r.sh for r in counted}) == 1 and counted[0].sh.startswith("sh1-2-4_eta2")
    top = len(RUNGS) - 1
    for r in counted:
        k = r.rung
        assert 0 <= k <= top and len(r.rung_accs) == k + 1, r
        assert r.halted == (k < top), r
        assert r.epochs == RUNGS[k] and r.planned_epochs == RUNGS[-1], r
        assert r.images == RUNGS[k] * EPOCH_IMAGES, r
        # told rung first, then accuracy (nas.search.feedback): measured at the top rung
        assert r.val_acc == r.rung_accs[-1] == pytest.approx(r.trial.values[0] + (top - k)), r
        assert r.trial.values[1] == r.params + (top - k) * int(helpers.BUDGET), r
        assert len(r.curve) == RUNGS[k], r
        assert [r.curve[RUNGS[j] - 1] for j in range(k + 1)] == list(r.rung_accs), r
        assert r.trial.intermediate_values == {RUNGS[j]: r.rung_accs[j]
                                               for j in range(k + 1)}, r
    check_promotions(rs)
    return counted


def _chain(r: TrialRecord, by_number: dict[int, TrialRecord]) -> list[TrialRecord]:
    """``r`` and the earlier attempts it retries (a dead worker's trial), first first."""
    out = [r]
    while out[0].retry_of is not None:
        out.insert(0, by_number[out[0].retry_of])
    return out


def _start(r: TrialRecord) -> datetime:
    return r.trial.datetime_start


def _complete(r: TrialRecord) -> datetime:
    return r.trial.datetime_complete or datetime.max


def check_promotions(rs: list[TrialRecord]) -> None:
    """Each decision at a rung below the top (promoted if the trial went on, halted if it
    stopped there) is ``promoted(me, field, ETA)`` for a field it can have read.

    With asynchronous workers the field is only known within bounds: it surely held every
    other architecture that reached the rung in a trial finished before this candidate's
    (first attempt's) start, and it can only have held those that reached it in trials
    started before this one completed. Some field between the two bounds must give the
    decision taken; one entry per architecture (a retried run and its dead attempt are
    one candidate), keyed by its first trial.
    """
    by_number = {r.number: r for r in rs}
    sig = {r.sh for r in rs if r.is_counted}.pop()
    scored = [r for r in rs if r.sh == sig and r.rung_accs]
    for r in (r for r in rs if r.is_counted):
        chain = _chain(r, by_number)
        lo, hi = _start(chain[0]), _complete(r)
        for k in range(min(r.rung + 1, len(RUNGS) - 1)):
            went_on = r.rung > k
            sure: dict[str, Entry] = {}
            maybe: dict[str, Entry] = {}
            for arch in {u.arch_id for u in scored} - {r.arch_id}:
                reached = sorted((u for u in scored if u.arch_id == arch
                                  and len(u.rung_accs) > k), key=lambda u: u.number)
                if not reached:
                    continue
                accs = {u.rung_accs[k] for u in reached}
                assert len(accs) == 1, reached  # one run per architecture
                entry = Entry(reached[0].number, accs.pop(), reached[0].params)
                if any(_complete(u) < lo for u in reached):
                    sure[arch] = entry
                elif any(_start(u) < hi for u in reached):
                    maybe[arch] = entry
            mes = [Entry(c.number, r.rung_accs[k], r.params) for c in chain]
            fields = (list(sure.values()) + list(extra)
                      for n in range(len(maybe) + 1)
                      for extra in itertools.combinations(maybe.values(), n))
            assert any(promoted(me, [*field, me], ETA) == went_on
                       for field in fields for me in mes), \
                (f"trial {r.number} {'promoted' if went_on else 'halted'} at rung {k} "
                 f"(acc {r.rung_accs[k]}, params {r.params}); surely seen "
                 f"{sorted(sure.values(), key=lambda e: e.key)}, maybe "
                 f"{sorted(maybe.values(), key=lambda e: e.key)}")
