"""A training-free benchmark of search strategies (issue 44).

``surrogate``: learning curves fitted on the curves recorded under results/ (the budget
study's 30-epoch recipe): a net's true final validation accuracy and its per-epoch
validation accuracy, deterministic per (architecture, benchmark seed).
``trainer``: the surrogate behind ``nas.search``'s training seam, so the real search loop
(sampler, strategy, fill, screen, dedup, rung promotion) runs in seconds.
``run``: the arms, the per-seed searches and their trajectories (best true final accuracy
against training images spent). ``report``: the table, the paired tests, the figure.
"""
