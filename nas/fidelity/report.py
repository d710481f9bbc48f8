"""Placeholder until the statistics report lands (the next commit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def report(config: Any, out: Path) -> str:
    from nas.fidelity.run import open_study
    from nas.fidelity.store import finished

    study, plan = open_study(config, create=False)
    return f"{len(finished(study))} of {len(plan.units())} runs finished"
