"""The largest network ``analyze`` accepts, so a typo costs one line instead of a crash.

Analysis runs on the meta device and allocates nothing, so these limits are not about the
analysis itself: past them nothing nas does with the network could run (one image's
activations or the weights alone would take over 4 GB as float32), so the figure is
almost certainly a typo such as ``cv_c100000000``, and saying so beats printing it.
"""

from __future__ import annotations

from nas.errors import NasError

MAX_PARAMS = 1_000_000_000  # trainable numbers: 4 GB of float32 weights
MAX_ACTIVATION = 1_000_000_000  # numbers in one block's output for one image: 4 GB float32


class SizeError(NasError):
    """A genome (at a given input size) is beyond what nas analyses or trains."""


def check_params(genome: str, params: int) -> None:
    """Refuse ``params`` above MAX_PARAMS, naming the genome and the limit."""
    if params > MAX_PARAMS:
        raise SizeError(f"{genome} has {params:,} parameters; nas analyses at most "
                        f"{MAX_PARAMS:,} parameters (4 GB of float32 weights)")


def check_activation(what: str, shape: tuple[int, ...]) -> None:
    """Refuse a (C, H, W) activation of one image above MAX_ACTIVATION numbers."""
    numel = 1
    for n in shape:
        numel *= n
    if numel > MAX_ACTIVATION:
        dims = "x".join(map(str, shape))
        raise SizeError(f"{what} is {dims} = {numel:,} numbers for one image; nas analyses "
                        f"at most {MAX_ACTIVATION:,} per block (4 GB of float32)")
