"""Learning curves, below the search: ``recipe`` (which training a curve ran: curves
compare only within one) and ``predict`` (a net's final validation accuracy from its
first k epochs and static figures; numpy only), with the shipped fits in
``fitted.json`` (written by scripts/curves_fit.py). ``nas.search``'s ``--promote-by``
ranks successive-halving rungs by them; ``nas.curves`` (layer 9) reads the recorded
curves, fits and evaluates the predictors (issue 47)."""
