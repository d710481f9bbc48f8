"""``nas export``: a trained model or a study's retrained picks as checked ONNX files."""

from __future__ import annotations

import json
import sys

import click

from nas.deploy.onnx import OPSET

DATA_HELP = ("Images for the check: 'cifar10', an .npz or a batches folder [default: the "
             "data the model was trained on if on this machine, else $NAS_CIFAR10_NPZ, "
             "else synthetic images].")


@click.command("export")
@click.argument("target", metavar="MODEL_OR_STUDY")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Directory for <arch_id>.onnx, <arch_id>.dynamic.onnx and <arch_id>.json.")
@click.option("--top", type=click.IntRange(min=1),
              help="Export the K best retrained picks of a study [default: all of them].")
@click.option("--study", "study_name", help="Only needed when the storage holds several studies.")
@click.option("--data", help=DATA_HELP)
@click.option("--images", default=256, show_default=True, type=click.IntRange(min=1),
              help="Validation images the ONNX files are checked on.")
@click.option("--input-size", type=click.IntRange(min=8),
              help="Square input size in px [default: the check data's, else 32].")
@click.option("--opset", default=OPSET, show_default=True, type=click.IntRange(min=OPSET),
              help="ONNX opset (default domain).")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(min=1),
              help="CPU threads for the latency measurement.")
@click.option("--runs", default=50, show_default=True, type=click.IntRange(min=1),
              help="Timed forward passes per runtime (after 10 warm-up passes).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead.")
def export(target: str, out: str, top: int | None, study_name: str | None, data: str | None,
           images: int, input_size: int | None, opset: int, threads: int, runs: int,
           as_json: bool) -> None:
    """Export MODEL_OR_STUDY (a model.pt, or a study's retrained picks) to ONNX.

    Writes a static 1xCxHxW and a dynamic-batch file per model, checks both with
    onnxruntime against torch (logits within 1e-4, same top-1 on every image), and
    prints size, params, MACs and the batch-1 latency of torch and onnxruntime.
    Exit code 1 when a check fails. Needs: pip install -e '.[export]'.
    """
    from nas.deploy import export as run

    echo = (lambda _line: None) if as_json else click.echo
    results = run(target, out, study_name=study_name, top=top, data=data,
                  input_size=input_size, images=images, opset=opset, threads=threads,
                  runs=runs, echo=echo)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], default=list))
    failed = [r.arch_id for r in results if not r.check.ok]
    if failed:
        click.echo(f"error: ONNX check failed for {', '.join(failed)}", err=True)
        sys.exit(1)


COMMANDS = [export]
