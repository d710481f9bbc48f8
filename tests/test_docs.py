"""The README stays a five-minute read whose test command is CI's, every relative link
in the guides resolves, and scripts/README.md indexes every script."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
          ROOT / "scripts" / "README.md", ROOT / "results" / "carry" / "README.md"]


def test_the_readme_is_short_and_runs_ci_s_test_command():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == "pip install -e '.[test,postgres]' && pytest"
    assert ci in readme


def test_every_relative_link_resolves():
    missing = []
    for guide in GUIDES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", guide.read_text()):
            if "://" not in target and not (guide.parent / target).exists():
                missing.append(f"{guide.relative_to(ROOT)}: {target}")
    assert missing == []


def test_scripts_readme_names_every_script():
    index = (ROOT / "scripts" / "README.md").read_text()
    scripts = [p for p in (ROOT / "scripts").rglob("*") if p.suffix in {".py", ".sh"}
               and "__pycache__" not in p.parts]
    assert scripts
    assert [p.name for p in scripts if f"`{p.name}`" not in index] == []
