"""``export(target, out)``: what ``nas export`` does, for one model.pt or a study's picks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nas.data import Dataset
from nas.deploy.exporter import ExportResult, export_model
from nas.deploy.images import check_images, find_data
from nas.deploy.onnx import OPSET, require
from nas.deploy.sources import model_files
from nas.deploy.timing import RUNS
from nas.errors import NasError
from nas.genome import Genome
from nas.io import load


def export(target: str, out: str | Path, *, study_name: str | None = None,
           top: int | None = None, data: str | None = None, input_size: int | None = None,
           images: int = 256, opset: int = OPSET, threads: int = 1, runs: int = RUNS,
           echo: Callable[[str], None] = print) -> list[ExportResult]:
    """Export, check and time a ``model.pt`` or the ``top`` retrained picks of a study.

    ``input_size`` (px) defaults to the size of the check images' data set (32 without
    real data); ``images`` is how many validation images the check runs on. Fails with
    a one-line ``NasError`` before any work when the ``export`` extra is missing.
    """
    require()
    if input_size is not None and input_size < 8:
        raise NasError(f"--input-size must be >= 8 px, got {input_size}")
    found: dict[tuple[str | None, int], tuple[Dataset | None, str]] = {}
    results = []
    for f in model_files(target, study_name, top):
        model = load(f.path)
        chans = int(Genome.from_string(model.genome).head["i"])
        trained_on = f.trained_on or model.config.get("data") or model.metrics.get("data")
        key = (trained_on, chans)
        if key not in found:  # a study's picks share their data: load it once
            found[key] = find_data(data, trained_on, chans)
        ds, description = found[key]
        size = input_size or (ds.image_size if ds is not None else 32)
        imgs = check_images(ds, description, images, size, chans)
        result = export_model(model, out, imgs, opset=opset, threads=threads, runs=runs)
        for line in result.lines():
            echo(line)
        results.append(result)
    return results
