"""One-line ``NasError``s for storages that cannot be opened: the driver's own reason
(not SQLAlchemy's wrapper), the password masked, a hint on what to check."""

from __future__ import annotations

from nas.errors import NasError

CONNECT_HINT = ("is the database server running and reachable from this machine, and do "
                "the user, password and database in the URL exist? (see README, "
                "'Scaling out')")


def one_line(e: BaseException) -> str:
    """The first line of an exception's message, or its type name."""
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def root_cause(e: BaseException) -> BaseException:
    """The innermost exception of a ``raise ... from`` / implicit context chain."""
    seen = {id(e)}
    while True:
        nxt = e.__cause__ or e.__context__
        if nxt is None or id(nxt) in seen:
            return e
        seen.add(id(nxt))
        e = nxt


def safe_url(url: str) -> str:
    """The URL with its password masked, for messages."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in creds:
        return url
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"


def storage_error(url: str, e: BaseException, help: str = "") -> NasError:
    """A one-line NasError for a storage that cannot be opened, with a hint (``help`` is
    appended when the problem is not reaching the server, e.g. the URL's form)."""
    cause = root_cause(e)
    reason = one_line(cause)
    if reason.startswith("(") and ") " in reason:  # sqlalchemy's "(psycopg.X) ..." prefix
        reason = reason.split(") ", 1)[1]
    module = type(cause).__module__ or ""
    connecting = type(cause).__name__ == "OperationalError" or "connect" in reason.lower()
    if isinstance(cause, ModuleNotFoundError):
        hint = (f"install the database driver (pip install -e '.[postgres]' for "
                f"PostgreSQL): {reason}")
        return NasError(f"cannot open storage {safe_url(url)}: {hint}")
    if connecting and not module.startswith("sqlite"):
        return NasError(f"cannot connect to storage {safe_url(url)}: {reason}; "
                        f"{CONNECT_HINT}")
    return NasError(f"cannot open storage {safe_url(url)}: {reason}"
                    + (f" ({help})" if help else ""))


def nas_error_in(e: BaseException) -> NasError | None:
    """The first ``NasError`` in the chain of ``e``, None if there is none.

    A storage failure inside ``study.optimize`` (the server gone for good, a full disk)
    reaches the caller as whatever Optuna's own clean-up then raised (``AssertionError:
    Should not reach.``, ``UnboundLocalError``), with the one-line error as its context.
    """
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, NasError):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None
