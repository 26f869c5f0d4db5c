"""graph(tensor): nodes with values and gradients, edges, DOT accepted by Graphviz, JSON."""

import json
import shutil
import subprocess

import pytest

import backproplab as bp


def _small_graph():
    w = bp.tensor([[0.5, -1.0]], requires_grad=True)
    x = bp.tensor([[2.0, 3.0]])
    y = (x @ w.T).sigmoid().sum()
    bp.explain.retain_grads(y)
    y.backward()
    return bp.explain.graph(y, {"w": w})


def test_graph_nodes_carry_op_shape_value_and_gradient():
    g = _small_graph()
    ops = [n.op for n in g.nodes]
    assert {"Sigmoid", "MatMul", "w", "input"} <= set(ops)
    sig = next(n for n in g.nodes if n.op == "Sigmoid")
    assert sig.grad["values"] == [[1.0]] and sig.derivative
    w = next(n for n in g.nodes if n.op == "w")
    assert w.kind == "parameter" and w.grad is not None
    assert len(g.edges) == len(g.nodes) - 1  # a tree here: every tensor used once


def test_graph_exports_strict_json():
    d = json.loads(_small_graph().to_json())
    assert set(d) == {"nodes", "edges", "root"}


def test_dot_output_is_accepted_by_graphviz(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    g = _small_graph()
    subprocess.run(["dot", "-Tsvg"], input=g.to_dot().encode(), check=True, capture_output=True)
    out = g.render(tmp_path / "graph.svg")
    assert open(out, encoding="utf-8").read().lstrip().startswith(("<?xml", "<svg"))


def test_step_graph_names_parameters_and_leaves_the_model_as_found():
    model = bp.nn.from_spec({"layers": [2, 2, 1], "activation": "sigmoid", "dtype": "float64"})
    before = {k: v.array.copy() for k, v in model.named_parameters()}
    g = bp.explain.step_graph(model, [0.0, 1.0], [1.0], bp.nn.MSELoss())
    ops = {n.op for n in g.nodes}
    assert {"0.weight", "2.bias", "MSELoss"} <= ops
    assert all(n.grad is not None for n in g.nodes if n.kind == "parameter")
    for k, v in model.named_parameters():
        assert (v.array == before[k]).all() and v.grad is None
