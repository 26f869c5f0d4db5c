"""The computation graph of one training step, values and gradients filled in, with the model
left as it was found."""

from backproplab.explain.backward_pass import ModelSnapshot, run_backward
from backproplab.explain.graph import Graph, graph


def step_graph(model, x, target, loss_fn) -> Graph:
    """``graph`` of ``loss_fn(model(x), target)`` after its backward, parameters named by their
    dotted paths; the parameters and their ``.grad`` are put back afterwards."""
    with ModelSnapshot(model):
        pass_ = run_backward(model, x, target, loss_fn)
        return graph(pass_.loss, dict(model.named_parameters()))
