"""``analyze`` works on the meta device: same figures as before, no weights, absurd sizes refused.

``golden.json`` holds what ``analyze`` printed at commit 0b024ed (real weights, thop on a
CPU copy) for the zoo at 32 and 8 px and twelve random genomes at 16 px. Its rf figures
were re-derived when rf stopped counting kernel taps that only read padding (3 of 24
totals changed: seed004 at 8 px 55 -> 19, the old seed002 at 32 px 335 -> 111 and at
8 px 335 -> 15; params and MACs unchanged).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nas.analysis import MAX_ACTIVATION, MAX_PARAMS, analyze
from nas.errors import NasError

GOLDEN = json.loads((Path(__file__).parent / "golden.json").read_text())


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: f"{c['genome'][:30]}@{c['input_size']}")
def test_figures_equal_the_weighted_analysis(case):
    a = analyze(case["genome"], case["input_size"])
    assert (a.params, a.macs, a.rf) == (case["params"], case["macs"], case["rf"])
    rows = [[r.block, list(r.out_shape), r.params, r.macs, r.rf] for r in a.layers]
    assert rows == case["layers"]


def test_head_row_completes_the_totals():
    a = analyze("cv_c16_b1,ds_c32_s2_b1/head_p0.05")
    assert a.head.block == "head_p0.05" and a.head.out_shape == (10,)
    assert a.head.params == 32 * 10 + 10
    rows = a.to_dict()["layers"]
    assert rows[-1]["block"] == "head_p0.05"
    assert sum(r["params"] for r in rows) == a.params
    assert sum(r["macs"] for r in rows) == a.macs


def _peak_rss_growth_mb(genome: str) -> float:
    code = ("import resource, torch; from nas.analysis import analyze; "
            "r = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            f"b = r(); analyze({genome!r}); print((r() - b) / 1024)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    return float(p.stdout)


def test_no_weights_are_allocated():
    # 151M parameters: 604 MB of float32 weights if they were allocated.
    assert _peak_rss_growth_mb("cv_c4096,cv_c4096/head") < 200


@pytest.mark.parametrize(("genome", "size", "needle"), [
    ("cv_c65536,cv_c65536/head", 32, f"{MAX_PARAMS:,}"),
    ("cv_c4096/head", 1024, f"{MAX_ACTIVATION:,}"),
    ("cv_c16/head", 10**12, f"{MAX_ACTIVATION:,}"),
])
def test_absurd_sizes_are_refused_with_the_limit(genome, size, needle):
    with pytest.raises(NasError, match=needle):
        analyze(genome, size)
