"""The ``Sampler`` plug-in interface and its registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from nas.search.plugins import Plugins

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


_PLUGINS: Plugins[Sampler] = Plugins("--sampler")
register = _PLUGINS.register  # class decorator: ``cls()`` is the sampler ``cls.name``
names = _PLUGINS.names
get = _PLUGINS.get  # NasError naming the known ones for an unknown name
