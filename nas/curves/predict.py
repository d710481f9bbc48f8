"""The learning-curve predictors, re-exported: they live in ``nas.lcurve.predict`` (a
low layer, so that ``nas.search`` may promote by them)."""

from nas.lcurve.predict import (
    DEFAULT_RECIPE,
    FAMILIES,
    FITTED,
    FITTERS,
    KNN,
    NAMES,
    RIDGE_LAMBDA,
    SHIPPED,
    Family,
    Predictor,
    Ridge,
    Static,
    curve_features,
    fit,
    fit_family,
    fit_ridge,
    fitted_models,
    predictor,
)

__all__ = ["DEFAULT_RECIPE", "FAMILIES", "FITTED", "FITTERS", "KNN", "NAMES", "RIDGE_LAMBDA",
           "SHIPPED", "Family", "Predictor", "Ridge", "Static", "curve_features", "fit",
           "fit_family", "fit_ridge", "fitted_models", "predictor"]
