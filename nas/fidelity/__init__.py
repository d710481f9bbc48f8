"""``nas fidelity``: how well does a cheap proxy rank architectures like the full schedule?

For a set of architectures (sampled from a space under a budget, named from the zoo, or a
study's trained ones) it records zero-cost scores at initialisation, the validation
accuracy of several short complete schedules (cheap fidelities) and of a reference run
(the full recipe, >= 15 epochs on the whole training split; its per-epoch accuracies are
free extra proxies), then reports each proxy's rank correlation with the reference. The
runs live in an Optuna study plus per-run checkpoints, so it resumes and takes several
workers. The test split is never touched.
"""

from nas.fidelity.agreement import bootstrap_ci, kendall_tau, spearman_rho, top_recall
from nas.fidelity.plan import DEFAULT_RUNS, Arch, Plan, Run, choose_archs

__all__ = ["DEFAULT_RUNS", "Arch", "Plan", "Run", "bootstrap_ci", "choose_archs",
           "kendall_tau", "spearman_rho", "top_recall"]
