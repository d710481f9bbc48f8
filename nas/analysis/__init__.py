"""Static analysis of a genome: parameters, MACs, receptive field, output shapes.

``nas.analysis.static`` gives the same totals from per-block caches (well under a
millisecond per candidate once its blocks were seen), for screening and the zero-cost
baselines; import it by its module name.
"""

from nas.analysis.analyze import Analysis, LayerInfo, analyze, count_params, receptive_field
from nas.analysis.limits import MAX_ACTIVATION, MAX_PARAMS, SizeError

__all__ = ["MAX_ACTIVATION", "MAX_PARAMS", "Analysis", "LayerInfo", "SizeError", "analyze",
           "count_params", "receptive_field"]
