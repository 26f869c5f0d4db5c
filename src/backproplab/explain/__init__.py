"""Backpropagation explained with real numbers (``bp.explain``).

Every number shown comes from the engine: values from the ops' forward, local derivatives from
the ops' own backward rules, gradients from ``backward()``; the formula text is the ops'
``formula`` and ``derivative``. The explanations only arrange those numbers and check that
they add up to ``param.grad``.
"""

from backproplab.explain.descend import (
    DescentPath,
    descend,
    double_well,
    himmelblau,
    narrow_valley,
    rosenbrock,
    square,
)
from backproplab.explain.descent_plot import plot_learning_rates, plot_optimizers
from backproplab.explain.gradient_check import GradientCheck, gradient_check
from backproplab.explain.gradient_health import GradientHealth, gradient_health
from backproplab.explain.graph import Graph, graph, retain_grads
from backproplab.explain.step_graph import step_graph
from backproplab.explain.step_trace import StepTrace
from backproplab.explain.trace_step import trace_step
from backproplab.explain.vanishing_demo import vanishing_gradient_demo
from backproplab.explain.weight_path import WeightPath, weight_path

__all__ = [
    "DescentPath",
    "GradientCheck",
    "GradientHealth",
    "Graph",
    "StepTrace",
    "WeightPath",
    "descend",
    "double_well",
    "gradient_check",
    "gradient_health",
    "graph",
    "himmelblau",
    "narrow_valley",
    "plot_learning_rates",
    "plot_optimizers",
    "retain_grads",
    "rosenbrock",
    "square",
    "step_graph",
    "trace_step",
    "vanishing_gradient_demo",
    "weight_path",
]
