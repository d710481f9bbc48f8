"""``Plugins``: a registry of named plug-in classes, one instance each (the strategies'
and the samplers'; evaluators and spaces keep their own, built from a factory or a
function)."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from nas.errors import NasError


class Named(Protocol):
    name: str


P = TypeVar("P", bound=Named)


class Plugins(Generic[P]):
    """Plug-ins by name; ``flag`` is the CLI option that picks one (for its errors)."""

    def __init__(self, flag: str) -> None:
        self.flag = flag
        self.items: dict[str, P] = {}

    def register(self, cls: type[P]) -> type[P]:
        """Class decorator: make ``cls()`` the plug-in called ``cls.name``."""
        self.items[cls.name] = cls()
        return cls

    def names(self) -> tuple[str, ...]:
        return tuple(self.items)

    def get(self, name: str) -> P:
        """The plug-in called ``name``; NasError naming the known ones otherwise."""
        if name not in self.items:
            raise NasError(f"{self.flag} must be one of {', '.join(self.names())}, got "
                           f"{name!r}")
        return self.items[name]
