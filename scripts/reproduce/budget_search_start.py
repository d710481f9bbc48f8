"""Exit 0 and print a note when a v4 search's pick is its --start-from net (PROTOCOL.md
v4: then evolution found nothing better on validation, and the pick is not retrained);
exit 1 when the pick is another net. Used by scripts/reproduce/budget_search.sh.

    python scripts/reproduce/budget_search_start.py STUDY.db START_NET
"""

from __future__ import annotations

import sys

from nas.retrain.select import pick
from nas.study.storage import open_study


def main(db: str, start: str) -> int:
    best = pick(open_study(db), 1)[0].trial
    if best.given is None:
        return 1
    print(f"# The pick of `{db}` is its start net\n\n"
          f"Its highest top-rung validation accuracy is trial {best.number}, the start net "
          f"{start} (`--start-from`), at {100 * (best.val_acc or 0):.2f}%: evolution found "
          f"nothing better on validation. Per PROTOCOL.md v4 it is not retrained as a new "
          f"model; the budget's table row for it is the baseline's.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
