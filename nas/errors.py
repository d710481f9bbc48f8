"""The one exception family the CLI turns into a one-line message and exit code 2."""


class NasError(ValueError):
    """Bad input from the user: the message names the argument and what was expected."""
