"""``nas.latency``'s contract: units, shape of the result, inputs it accepts and refuses.

No assertion on how fast anything is: timings depend on the machine and its load.
"""

from __future__ import annotations

import pytest
import torch

import nas
from nas.deploy.timing import Latency, latencies, summarize, time_runs
from nas.errors import NasError

GENOME = "cv_c4,ds_c8_s2/head"


def test_latency_reports_median_and_p90_in_ms():
    lat = nas.latency(GENOME, batch=2, threads=1, input_size=16, runs=7, warmup=1)
    assert isinstance(lat, Latency)
    assert (lat.batch, lat.threads, lat.runs, lat.runtime, lat.input_size) == (
        2, 1, 7, "torch", 16)
    assert 0 < lat.median_ms <= lat.p90_ms
    assert lat.per_image_ms == pytest.approx(lat.median_ms / 2)
    assert set(lat.to_dict()) >= {"median_ms", "p90_ms", "batch", "threads", "runs"}


@pytest.mark.parametrize("what", ["genome", "string", "zoo", "module"])
def test_latency_accepts_genomes_zoo_names_and_modules(what):
    arg = {"genome": nas.parse(GENOME), "string": GENOME, "zoo": "seed003",
           "module": nas.build(GENOME)}[what]
    assert nas.latency(arg, runs=2, warmup=0).median_ms > 0


def test_latency_leaves_the_model_and_thread_count_as_they_were():
    torch.set_num_threads(1)
    model = nas.build("cv_c4,ds_c8_s2/head_i1").train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    lat = nas.latency(model, threads=2, runs=2, warmup=1)  # input channels from the genome
    assert lat.threads == 2 and torch.get_num_threads() == 1
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert next(model.parameters()).is_contiguous()


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"batch": 0}, "batch"), ({"threads": 0}, "threads"), ({"runs": 0}, "runs"),
    ({"warmup": -1}, "warmup"), ({"input_size": 4}, "input_size"),
    ({"runtime": "tensorrt"}, "runtime 'tensorrt'"), ({"batch": 1.5}, "batch"),
])
def test_bad_arguments_raise_nas_error(kwargs, needle):
    with pytest.raises(NasError, match=needle):
        nas.latency(GENOME, **kwargs)


def test_summarize_uses_nearest_rank_p90():
    lat = summarize([float(t) for t in range(10, 0, -1)], batch=1, threads=1,
                    runtime="torch", input_size=32)
    assert (lat.median_ms, lat.p90_ms, lat.runs) == (5.5, 9.0, 10)
    assert summarize([3.0], 1, 1, "torch", 32).p90_ms == 3.0


def test_time_runs_times_exactly_runs_calls_after_warmup():
    calls = []
    times = time_runs(lambda: calls.append(1), runs=5, warmup=3)
    assert len(calls) == 8 and len(times) == 5 and all(t >= 0 for t in times)


def test_onnxruntime_runtime():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    lat = nas.latency(GENOME, batch=3, input_size=16, runs=3, warmup=1, runtime="onnxruntime")
    assert lat.runtime == "onnxruntime" and lat.batch == 3 and lat.median_ms > 0


def test_latencies_one_build_several_batches():
    lats = latencies(GENOME, (1, 4, 2), input_size=12, runs=2, warmup=0)
    assert [lat.batch for lat in lats] == [1, 4, 2]
    assert all(lat.input_size == 12 and lat.runs == 2 for lat in lats)
    with pytest.raises(NasError, match="at least one"):
        latencies(GENOME, ())
