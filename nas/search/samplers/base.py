"""The ``Sampler`` plug-in interface and its registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from nas.errors import NasError

if TYPE_CHECKING:
    import optuna

    from nas.search.evolve import Evolution


class Sampler:
    """A sampler plug-in: ``create`` builds the Optuna sampler of one worker."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one line for `nas search --help`
    takes_start_from: ClassVar[bool] = True  # can queue --start-from nets (no params)

    def create(self, seed: int, trials: int) -> optuna.samplers.BaseSampler:
        """The Optuna sampler (``seed``: this worker's; ``trials``: the study's target)."""
        raise NotImplementedError

    def proposer(self, seed: int) -> Evolution | None:
        """What proposes whole genomes instead of the space's sampling (None: nothing)."""
        return None


_REGISTRY: dict[str, Sampler] = {}


def register(cls: type[Sampler]) -> type[Sampler]:
    """Class decorator: make ``cls()`` the sampler called ``cls.name``."""
    _REGISTRY[cls.name] = cls()
    return cls


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get(name: str) -> Sampler:
    """The sampler called ``name``; NasError naming the known ones otherwise."""
    if name not in _REGISTRY:
        raise NasError(f"--sampler must be one of {', '.join(names())}, got {name!r}")
    return _REGISTRY[name]
