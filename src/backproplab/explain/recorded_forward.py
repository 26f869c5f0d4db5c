"""A forward pass through an MLP layer by layer that keeps what the explanation shows:
each layer's input, net and output (with their gradients retained for after ``backward``) and
∂out/∂net, the activation's slope.

The slope is not computed here: the activation's own graph node runs its ``backward`` rule on
a gradient of ones, which for an elementwise op gives exactly ∂out/∂net at every element —
the same rule ``loss.backward()`` applies a moment later.
"""

from dataclasses import dataclass

import numpy

from backproplab.explain.mlp_layers import MLPLayer
from backproplab.tensor import Tensor


@dataclass
class LayerRecord:
    layer: MLPLayer
    input: Tensor  # (batch, in)
    net: Tensor  # (batch, out) = input · Wᵀ + b
    out: Tensor  # (batch, out) = f(net); the same tensor as net without an activation
    slope: numpy.ndarray  # (batch, out): ∂out/∂net from the activation op's backward rule


def record_forward(layers: list[MLPLayer], x: Tensor) -> list[LayerRecord]:
    records = []
    h = x
    for layer in layers:
        net = layer.linear(h)
        out = net if layer.activation is None else layer.activation(net)
        net.retain_grad()
        out.retain_grad()
        records.append(LayerRecord(layer, h, net, out, activation_slope(out, net)))
        h = out
    return records


def activation_slope(out: Tensor, net: Tensor) -> numpy.ndarray:
    """∂out/∂net elementwise, from the backward rule of the op that made ``out`` from ``net``."""
    if out is net:
        return numpy.ones_like(net.array)
    node = out.grad_fn
    if node is None or not node.inputs or node.inputs[0] is not net:
        raise ValueError("explain: the activation is not a single op applied to the layer's net")
    grads = type(node).backward(node, numpy.ones_like(out.array))
    slope = grads[0] if isinstance(grads, tuple) else grads
    return numpy.broadcast_to(numpy.asarray(slope, dtype=net.array.dtype), net.array.shape).copy()
