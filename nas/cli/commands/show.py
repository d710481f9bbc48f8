"""``nas show`` and ``nas zoo``: static analysis of architectures, no training."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from nas.analysis import Analysis, analyze
from nas.zoo import ZOO, resolve


def _table(name: str, a: Analysis) -> Table:
    title = a.arch_id if name == a.arch_id else f"{name}  [dim]{a.arch_id}[/]"
    t = Table(title=title, caption=a.genome, caption_justify="left")
    for col in ("stage", "block", "output", "params", "MACs", "RF"):
        t.add_column(col, justify="right" if col in ("params", "MACs", "RF") else "left")
    for layer in a.layers:
        t.add_row(str(layer.stage), layer.block, "x".join(map(str, layer.out_shape)),
                  f"{layer.params:,}", f"{layer.macs:,}", str(layer.rf))
    h = a.head
    t.add_row("", h.block, "x".join(map(str, h.out_shape)), f"{h.params:,}", f"{h.macs:,}", "")
    t.add_section()
    t.add_row("", "total", "", f"{a.params:,}", f"{a.macs:,}", str(a.rf), style="bold")
    return t


@click.command()
@click.argument("model")
@click.option("--input-size", default=32, show_default=True, type=click.IntRange(min=8),
              help="Square input size in pixels.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
def show(model: str, input_size: int, as_json: bool) -> None:
    """Per-block table (output shape, params, MACs, RF) of a zoo NAME or a GENOME string."""
    name, genome = resolve(model)
    a = analyze(genome, input_size)
    if as_json:
        d = a.to_dict()
        click.echo(json.dumps({"name": name, **d}))
    else:
        Console().print(_table(name, a))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead.")
def zoo(as_json: bool) -> None:
    """The reference architectures (seed reproductions, ResNet-20) with params/MACs/RF."""
    rows = []
    for entry in ZOO.values():
        a = analyze(entry.parsed)
        rows.append({"name": entry.name, "params": a.params, "macs": a.macs, "rf": a.rf,
                     "exact": entry.exact_params is not None, "genome": a.genome})
    if as_json:
        click.echo(json.dumps(rows))
        return
    t = Table(title="nas zoo")
    for col in ("name", "params", "MACs", "RF", "reproduction", "genome"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["name"], f"{r['params']:,}", f"{r['macs']:,}", str(r["rf"]),
                  "exact" if r["exact"] else "close", r["genome"])
    Console().print(t)


COMMANDS = [show, zoo]
