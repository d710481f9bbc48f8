"""Learning curves already recorded under results/ and predictors of their final accuracy
(issue 47): ``nas.curves.recorded.load_recorded`` reads them, ``nas.curves.predict``
extrapolates a curve's first epochs to the end of its schedule."""
