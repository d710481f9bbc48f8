"""Deploying a net: ONNX export checked against torch, and measured CPU latency.

``latency`` needs only torch (``runtime="onnxruntime"`` and everything ONNX need the
``export`` extra: ``pip install -e '.[export]'``).
"""

from nas.deploy.run import export
from nas.deploy.timing import Latency, latencies, latency

__all__ = ["Latency", "export", "latencies", "latency"]
