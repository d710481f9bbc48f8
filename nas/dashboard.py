"""``nas dashboard``: optuna-dashboard on a study, with the report's artifacts served.

Runs optuna-dashboard's WSGI app in a threaded wsgiref server (the browser fetches
several API routes at once), prints the URL, and stops cleanly on Ctrl-C.
"""

from __future__ import annotations

import logging
import signal
import socketserver
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from optuna.artifacts import FileSystemArtifactStore
from optuna.storages import BaseStorage
from optuna_dashboard import wsgi

from nas.errors import NasError
from nas.report.attach import ARTIFACT_DIR_ATTR
from nas.study.storage import open_storage, resolve_name, study_names

# the dashboard's importance panel recomputes PED-ANOVA per request; on small studies
# each call repeats one "few trials" warning per parameter into the terminal
warnings.filterwarnings("ignore", message="Some regimes for parameter")


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger("nas.dashboard").debug(format, *args)


def _artifact_store(storage: BaseStorage, names: list[str]) -> FileSystemArtifactStore | None:
    for name in names:
        sid = storage.get_study_id_from_name(name)
        d = storage.get_study_system_attrs(sid).get(ARTIFACT_DIR_ATTR)
        if d and Path(d).is_dir():
            return FileSystemArtifactStore(d)
    return None


def make_dashboard(target: str | Path, study_name: str | None = None, host: str = "127.0.0.1",
                   port: int = 8080) -> tuple[WSGIServer, str]:
    """A ready (not yet serving) dashboard server and the URL of the study's page.

    With several studies in the storage and no ``study_name`` the URL is the study list.
    ``port=0`` picks a free port.
    """
    storage = open_storage(target)
    names = study_names(storage)
    if not names:
        raise NasError(f"{target} holds no studies")
    name = resolve_name(storage, target, study_name) if study_name or len(names) == 1 else None
    app = wsgi(storage, artifact_store=_artifact_store(storage, [name] if name else names))
    try:
        server = make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
    except OSError as e:
        raise NasError(f"cannot listen on {host}:{port} ({e.strerror}); try another --port") from e
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "") else host
    base = f"http://{shown}:{server.server_port}/dashboard"
    url = f"{base}/studies/{storage.get_study_id_from_name(name)}" if name else base
    return server, url


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def dashboard(target: str | Path, study_name: str | None = None, host: str = "127.0.0.1",
              port: int = 8080, echo: Callable[[str], None] = print) -> None:
    """Serve optuna-dashboard on ``target`` until Ctrl-C (or SIGTERM, e.g. ``kill`` or a
    service manager); prints the URL first."""
    server, url = make_dashboard(target, study_name, host, port)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:  # echo inside: a signal may arrive as soon as the URL is out
        echo(f"optuna-dashboard: {url}  (Ctrl-C to stop)")
        server.serve_forever()
    except KeyboardInterrupt:
        echo("dashboard stopped")
    finally:
        server.server_close()
        if main:
            signal.signal(signal.SIGTERM, previous)
