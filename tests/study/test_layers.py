"""The layering the architecture guide asks for, checked on the source tree."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

NAS = Path(__file__).resolve().parents[2] / "nas"
# Study._storage, FrozenTrial._trial_id, optuna.storages._private modules, the heartbeat
# hook (not public BaseStorage methods such as get_trial_id_from_study_id_trial_number)
PRIVATE = re.compile(r"\._storage|_trial_id\b|storages\._|_get_stale_trial_ids")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_only_the_adapter_touches_optunas_private_api():
    hits = {p.relative_to(NAS).as_posix() for p in NAS.rglob("*.py")
            if PRIVATE.search(p.read_text())}
    assert hits == {"study/adapter.py"}


def test_report_and_dashboard_do_not_import_retrain():
    for path in [*(NAS / "report").rglob("*.py"), NAS / "dashboard.py"]:
        assert not {m for m in _imports(path) if m.startswith("nas.retrain")}, path


def test_study_layer_is_torch_free_and_below_search():
    for path in (NAS / "study").rglob("*.py"):
        bad = {m for m in _imports(path)
               if m.split(".")[0] == "torch" or m.startswith(("nas.search", "nas.retrain",
                                                              "nas.report", "nas.train"))}
        assert not bad, (path, bad)
    code = "import sys, nas.study, nas.study.workers; print(any(m == 'torch' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_no_one_letter_module_aliases():
    for path in NAS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nas"):
                assert all(a.asname is None or len(a.asname) > 1 for a in node.names), path


def test_search_space_files_import_neither_torch_nor_optuna_nor_the_loader():
    """Spaces import the registry only (no cycle with ``nas.search.space``, which imports
    them), and a space file is plain Python over genomes."""
    code = ("import sys, search_spaces.default, search_spaces.small; "
            "print(sorted(m for m in ('torch', 'optuna', 'nas.search.space') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
