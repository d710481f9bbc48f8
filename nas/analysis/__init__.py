"""Static analysis of a genome: parameters, MACs, receptive field, output shapes."""

from nas.analysis.analyze import Analysis, LayerInfo, analyze, count_params, receptive_field

__all__ = ["Analysis", "LayerInfo", "analyze", "count_params", "receptive_field"]
