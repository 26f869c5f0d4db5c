"""Backpropagation explained with real numbers (``bp.explain``).

Every number shown comes from the engine: values from the ops' forward, local derivatives from
the ops' own backward rules, gradients from ``backward()``; the formula text is the ops'
``formula`` and ``derivative``. The explanations only arrange those numbers and check that
they add up to ``param.grad``.
"""

from backproplab.explain.graph import Graph, graph, retain_grads
from backproplab.explain.step_trace import StepTrace
from backproplab.explain.trace_step import trace_step
from backproplab.explain.weight_path import WeightPath, weight_path

__all__ = ["Graph", "StepTrace", "WeightPath", "graph", "retain_grads", "trace_step",
           "weight_path"]
