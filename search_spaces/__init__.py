"""Search spaces for ``nas search --space NAME``: one module per space.

Add a space by adding ``search_spaces/<name>.py`` whose ``sample(trial, budget) ->
Genome`` is decorated with ``@register(DESCRIPTION)`` (``nas.search.space_registry``);
``nas spaces`` lists it at once. See ``default.py`` for a full example.
"""
