"""Static analysis of a genome: parameters, MACs, receptive field, output shapes."""

from nas.analysis.analyze import Analysis, LayerInfo, analyze, count_params, receptive_field
from nas.analysis.limits import MAX_ACTIVATION, MAX_PARAMS, SizeError

__all__ = ["MAX_ACTIVATION", "MAX_PARAMS", "Analysis", "LayerInfo", "SizeError", "analyze",
           "count_params", "receptive_field"]
