"""``nas train`` and ``nas bench``: train one architecture; measure training throughput."""

from __future__ import annotations

import json

import click

from nas.train.config import AMP_MODES, flip_overrides

THREADS_HELP = ("torch CPU threads (default: all cores). On a CPU busy with other jobs, fewer "
                "threads can be much faster.")
FLIP_HELP = ("Random horizontal flips while training and mirrored test-time augmentation "
             "(default: on, right for photos; --no-flip for digits, text, many icons).")
AMP_HELP = ("Mixed precision: auto (CUDA: bf16 where supported, else fp16; CPU: off), "
            "bf16 (also on a CPU: 1.4-1.8x faster training where it has AMX/AVX512-BF16, "
            "results/bench.md; slower where it has not), fp16 (CUDA), none.")
CUTOUT_HELP = "Side of a random square erased from each training image, px at 32 px"
EMA_HELP = ("Keep an exponential moving average of the weights with this decay per step "
            "(e.g. 0.999) and evaluate it")
DATA_HELP = ("'cifar10' (download, or $NAS_CIFAR10_NPZ), an .npz with x_train, y_train, "
             "x_test, y_test, or a folder holding cifar-10-batches-py.")


@click.command()
@click.argument("model")
@click.option("--data", default="cifar10", show_default=True, help=DATA_HELP)
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Epochs (default: the preset's).")
@click.option("--preset", "preset_name", type=click.Choice(["proxy", "full"]), default="full",
              show_default=True, help="Training recipe (proxy: 5 epochs, full: 40).")
@click.option("--subset", type=click.IntRange(min=1), default=None,
              help="Train on the first N training images (validation unchanged).")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Images per step.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Peak learning rate.")
@click.option("--flip/--no-flip", default=None, help=FLIP_HELP)
@click.option("--cutout", type=click.IntRange(min=0), default=None, metavar="PX",
              help=CUTOUT_HELP + " (default: the preset's, 0 = off).")
@click.option("--ema", type=click.FloatRange(0, 1, max_open=True), default=None,
              metavar="DECAY", help=EMA_HELP + " (default: the preset's, 0 = off).")
@click.option("--label-smoothing", type=click.FloatRange(0, 1, max_open=True), default=None,
              help="Label smoothing of the training loss (default: the preset's, 0.1).")
@click.option("--amp", type=click.Choice(AMP_MODES), default=None, help=AMP_HELP)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--device", default=None, help="cpu, cuda or cuda:N (default: cuda if present).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Directory for checkpoint.pt (rerun to resume), result.json and model.pt.")
@click.option("--no-test", is_flag=True,
              help="Validate only and leave the test split untouched (choosing a recipe or "
                   "a model on validation before the one test evaluation).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help=THREADS_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def train(model: str, data: str, epochs: int | None, preset_name: str, subset: int | None,
          batch_size: int | None, lr: float | None, flip: bool | None, cutout: int | None,
          ema: float | None, label_smoothing: float | None, amp: str | None, seed: int,
          device: str | None,
          out: str | None, no_test: bool, threads: int | None, as_json: bool,
          quiet: bool) -> None:
    """Train a zoo NAME or GENOME string; report validation and test accuracy.

    Rerunning with the same --out resumes from its checkpoint.
    """
    from nas.train.run import train_model

    _threads(threads)
    r = train_model(model, data, epochs=epochs, subset=subset, seed=seed, out=out,
                    preset_name=preset_name, device=device,
                    progress="none" if quiet else "auto", test=not no_test,
                    batch_size=batch_size, lr=lr, cutout=cutout, ema=ema,
                    label_smoothing=label_smoothing, amp=amp, **flip_overrides(flip))
    if as_json:
        click.echo(json.dumps({k: v for k, v in r.items() if k != "history"}))
        return
    tested = ("test not evaluated (--no-test)" if r["test_acc"] is None else
              f"test acc {r['test_acc']:.4f}")
    click.echo(f"{r['name']} ({r['params']:,} params): val acc {r['val_acc']:.4f}, {tested} "
               f"after {r['epochs']} epochs in {r['seconds']:.0f}s")


@click.command()
@click.argument("model")
@click.option("--batches", type=click.IntRange(min=1), default=20, show_default=True,
              help="Timed training batches (after warm-up).")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
@click.option("--device", default=None, help="cpu or cuda (default: cuda if present).")
@click.option("--data", default=None, help=DATA_HELP + " Default: synthetic 32px images.")
@click.option("--amp", type=click.Choice(AMP_MODES), default="auto", show_default=True,
              help=AMP_HELP)
@click.option("--threads", type=click.IntRange(min=1), default=None, help=THREADS_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def bench(model: str, batches: int, batch_size: int, device: str | None, data: str | None,
          amp: str, threads: int | None, as_json: bool) -> None:
    """Training and evaluation throughput (images/s) of a zoo NAME or GENOME string."""
    from nas.bench import run_bench

    _threads(threads)
    r = run_bench(model, batches=batches, batch_size=batch_size, device=device, data=data,
                  amp=amp)
    if as_json:
        click.echo(json.dumps(r.to_dict()))
        return
    click.echo(r.summary())


def _threads(n: int | None) -> None:
    if n is not None:
        import torch

        torch.set_num_threads(n)


COMMANDS = [train, bench]
