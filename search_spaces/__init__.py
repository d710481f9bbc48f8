"""Search spaces for ``nas search --space NAME``: one module per space.

Add a space by adding ``search_spaces/<name>.py`` with ``DESCRIPTION`` (one line) and
``sample(trial, budget) -> Genome``; ``nas spaces`` lists it at once. See
``nas.search.space`` for the contract and ``default.py`` for a full example.
"""
