"""The training recipe a learning curve ran, re-exported: it lives in
``nas.lcurve.recipe`` (a low layer, so that ``nas.search`` may use it)."""

from nas.lcurve.recipe import FULL_TRAIN_IMAGES, Recipe, extra_of, from_config, from_signature

__all__ = ["FULL_TRAIN_IMAGES", "Recipe", "extra_of", "from_config", "from_signature"]
