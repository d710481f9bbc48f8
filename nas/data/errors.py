"""Errors about the ``--data`` argument and the arrays it points to."""

from nas.errors import NasError


class DataError(NasError):
    """A data spec or file is unusable; the message names the key and what was expected."""
