"""``trace_step``: one training step on one sample (or a small batch), every number written out.

The forward numbers are the engine's forward results; ∂L/∂out comes from ``backward()``
(retained gradients), ∂out/∂net from the activation op's backward rule, and the update from the
real optimizer's ``step()``. What the trace adds is the arrangement the textbooks use —
δ = ∂L/∂out · ∂out/∂net, ∂L/∂w = δ · input, ∂L/∂out of a hidden neuron as Σ δ_next · w — and
a check that those products and sums land on ``param.grad``.
"""

import numpy

from backproplab import optim
from backproplab.explain.backward_pass import BackwardPass, ModelSnapshot, run_backward
from backproplab.explain.graph import graph
from backproplab.explain.json_numbers import number, numbers
from backproplab.explain.limits import MAX_TRACED_PARAMETERS
from backproplab.explain.loss_terms import loss_terms, loss_text, target_columns
from backproplab.explain.step_trace import (
    GradientAgreement,
    GradientTerm,
    LayerTrace,
    LossOutput,
    LossTrace,
    NeuronTrace,
    StepTrace,
    UpstreamTerm,
)
from backproplab.explain.update_terms import trace_update


def trace_step(model, x, target, loss_fn, lr: float = 0.1, optimizer=None,
               apply: bool = False) -> StepTrace:
    """Explain one step of training ``model`` on ``x`` / ``target`` with ``loss_fn``.

    The update uses ``optimizer`` (its own learning rate) or plain SGD with ``lr``. The model
    and optimizer are left exactly as they were unless ``apply=True``, which keeps the step.
    MLPs of Linear layers and elementwise activations are traced neuron by neuron; any other
    model op by op (``kind == "graph"``).
    """
    if sum(p.array.size for p in model.parameters()) > MAX_TRACED_PARAMETERS:
        raise ValueError(f"trace_step: the model has more than {MAX_TRACED_PARAMETERS} "
                         "parameters; a trace that size cannot be read")
    if optimizer is None:
        optimizer = optim.SGD(model.parameters(), lr=lr)
    named = list(model.named_parameters())
    with ModelSnapshot(model, optimizer) as snapshot:
        bp_ = run_backward(model, x, target, loss_fn)
        # Summarise the graph now: after backward its gradients are this step's, and before the
        # update its parameter values are the ones the forward pass used.
        op_graph = None if bp_.records else graph(bp_.loss, dict(named)).to_dict()
        old = {n: p.array.copy() for n, p in named}
        optimizer.step()
        update = trace_update(optimizer, named, old, bp_.grads)
        if apply:
            snapshot.keep()
    layers = layer_traces(bp_) if bp_.records else []
    return StepTrace(
        kind="mlp" if bp_.records else "graph",
        inputs=numbers(bp_.x.array),
        targets=numbers(bp_.target.array),
        layers=layers,
        loss=_loss_trace(bp_, loss_fn, layers),
        update=update,
        check=_agreement(layers, bp_),
        graph=op_graph,
        batch_size=int(bp_.x.shape[0]),
    )


def neuron_labels(n_layers: int, index: int, width: int) -> list[str]:
    """x1… for inputs (index -1), h1… (or h{layer}_{j} with several hidden layers), o1…."""
    if index == -1:
        return [f"x{j + 1}" for j in range(width)]
    if index == n_layers - 1:
        return [f"o{j + 1}" for j in range(width)]
    if n_layers == 2:
        return [f"h{j + 1}" for j in range(width)]
    return [f"h{index + 1}_{j + 1}" for j in range(width)]


def layer_traces(bp_: BackwardPass) -> list[LayerTrace]:
    records = bp_.records
    n = len(records)
    traces = []
    for li, rec in enumerate(records):
        layer = rec.layer
        w = layer.linear.weight.array
        b = None if layer.linear.bias is None else layer.linear.bias.array
        xin = rec.input.array
        dL_dout = rec.out.grad.array
        delta = dL_dout * rec.slope  # δ = ∂L/∂out · ∂out/∂net
        nxt = records[li + 1] if li + 1 < n else None
        nxt_delta = None if nxt is None else nxt.out.grad.array * nxt.slope
        in_labels = neuron_labels(n, li - 1, w.shape[1])
        out_labels = neuron_labels(n, li, w.shape[0])
        nxt_labels = None if nxt is None else neuron_labels(n, li + 1, nxt_delta.shape[1])
        wgrad = bp_.grads.get(layer.weight_name)
        bgrad = bp_.grads.get(layer.bias_name) if layer.bias_name else None
        neurons = []
        for j in range(w.shape[0]):
            upstream = []
            if nxt is not None:
                wn = nxt.layer.linear.weight.array
                upstream = [UpstreamTerm(k, nxt_labels[k], number(wn[k, j]),
                                         numbers(nxt_delta[:, k]),
                                         numbers(nxt_delta[:, k] * wn[k, j]))
                            for k in range(wn.shape[0])]
            weight_grads = [
                GradientTerm(f"{layer.weight_name}[{j}, {i}]", i,
                             numbers(delta[:, j] * xin[:, i]),
                             number((delta[:, j] * xin[:, i]).sum()),
                             None if wgrad is None else number(wgrad[j, i]))
                for i in range(w.shape[1])]
            bias_grad = None if b is None else GradientTerm(
                f"{layer.bias_name}[{j}]", None, numbers(delta[:, j]),
                number(delta[:, j].sum()), None if bgrad is None else number(bgrad[j]))
            neurons.append(NeuronTrace(
                index=j, label=out_labels[j], inputs=numbers(xin), weights=numbers(w[j]),
                bias=None if b is None else number(b[j]), terms=numbers(xin * w[j][None, :]),
                net=numbers(rec.net.array[:, j]), out=numbers(rec.out.array[:, j]),
                dL_dout=numbers(dL_dout[:, j]), dout_dnet=numbers(rec.slope[:, j]),
                delta=numbers(delta[:, j]), upstream=upstream, weight_grads=weight_grads,
                bias_grad=bias_grad))
        act = layer.activation
        traces.append(LayerTrace(
            index=li, name=layer.name, weight_name=layer.weight_name, bias_name=layer.bias_name,
            activation=layer.activation_name,
            formula=_op_text(rec, "formula") if act is not None else "out = net",
            derivative=_op_text(rec, "derivative") if act is not None else "∂out/∂net = 1",
            input_labels=in_labels, output_labels=out_labels, neurons=neurons))
    return traces


def _op_text(rec, attr: str) -> str:
    """The activation op's own text (``formula`` or its first ``derivative``)."""
    text = getattr(type(rec.out.grad_fn), attr)
    return text[0] if isinstance(text, tuple) else text


def _loss_trace(bp_: BackwardPass, loss_fn, layers: list[LayerTrace]) -> LossTrace:
    text = loss_text(loss_fn)
    y = bp_.output
    outputs = []
    if y.ndim == 2:
        labels = layers[-1].output_labels if layers else [f"y{j + 1}" for j in range(y.shape[1])]
        terms = loss_terms(loss_fn, y, bp_.target)
        targets = target_columns(loss_fn, y, bp_.target)
        outputs = [LossOutput(j, labels[j], numbers(y.array[:, j]), numbers(targets[:, j]),
                              None if terms is None else numbers(terms[:, j]),
                              numbers(y.grad.array[:, j]))
                   for j in range(y.shape[1])]
    return LossTrace(type(loss_fn).__name__, getattr(loss_fn, "reduction", "mean"),
                     text.formula, text.latex, text.derivative, number(bp_.loss.array),
                     outputs)


def _agreement(layers: list[LayerTrace], bp_: BackwardPass) -> GradientAgreement:
    """Largest |trace gradient - param.grad| over every weight and bias of the trace."""
    eps = float(numpy.finfo(bp_.x.array.dtype).eps)
    scale = max([1.0] + [float(numpy.abs(g).max()) for g in bp_.grads.values()
                         if g is not None and g.size])
    tolerance = 1e3 * eps * scale
    diffs = [abs(g.grad - g.engine_grad)
             for layer in layers for neuron in layer.neurons
             for g in [*neuron.weight_grads, neuron.bias_grad]
             if g is not None and g.grad is not None and g.engine_grad is not None]
    worst = max(diffs, default=0.0)
    return GradientAgreement(number(worst), tolerance, bool(worst <= tolerance))

