"""Rich notebook displays: every ``_repr_html_`` / ``_repr_mimebundle_`` carries the object's
own numbers, escapes what it shows, runs no script, and reads without a math renderer or
Graphviz; the plain reprs stay one short line."""

import base64
import dataclasses
import re
import shutil
from html import escape

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.display import graph_view, report_views
from backproplab.explain.gradient_check import GradientCheck, GradientCheckRow
from backproplab.explain.graph_dot import summary
from backproplab.explain.json_numbers import fmt
from backproplab.train import Event, History
from tests.test_explain_trace_step import MAZUR

X, T = [0.05, 0.10], [0.01, 0.99]


@pytest.fixture(scope="module")
def model():
    return nn.from_spec(MAZUR)


@pytest.fixture(scope="module")
def trace(model):
    return bp.explain.trace_step(model, X, T, nn.MSELoss(), lr=0.5)


def _pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def _no_script(html: str) -> None:
    assert "<script" not in html.lower() and "javascript:" not in html.lower()


def test_trace_html_carries_every_neuron_gradient_and_update_of_the_step(trace):
    html = trace._repr_html_()
    _no_script(html)
    d = trace.to_dict()
    numbers = [d["loss"]["value"]]
    for layer in d["layers"]:
        for n in layer["neurons"]:
            numbers += [n["net"][0], n["out"][0], n["delta"][0]]
            numbers += [g["grad"] for g in n["weight_grads"]]
    numbers += [p["new"] for p in d["update"]["params"]]
    for value in numbers:
        assert fmt(value, 6) in html, value
    assert "✓ the trace adds up to param.grad" in html


def test_trace_html_typesets_equations_but_keeps_plain_text_for_front_ends_without_math(trace):
    html = trace._repr_html_()
    texts = re.findall(r'<span class="bp-text[^"]*">(.*?)</span>', html)
    texs = re.findall(r'<span class="bp-tex">\\\((.*?)\\\)</span>', html)
    assert len(texts) > len(texs) > 10  # headings stay text; every equation has LaTeX
    assert any(r"\cdot" in t and "0.3775" in t for t in texs)
    assert all("mathjax_ignore" in c for c in re.findall(r'class="(bp-text[^"]*)"', html))
    assert ".bp-display .bp-tex { display: none; }" in html  # raw LaTeX never shows untypeset


def test_trace_html_flags_a_trace_that_does_not_add_up(trace):
    broken = dataclasses.replace(trace, check=type(trace.check)(0.5, 1e-6, False))
    assert trace.check.ok and "does NOT add up" in broken._repr_html_()


def test_plain_reprs_are_one_short_line(trace, model):
    graph = bp.explain.step_graph(model, X, T, nn.MSELoss())
    history = History(epochs=[1, 2], train_loss=[0.5, 0.25], val_loss=[0.6, 0.3])
    assert repr(trace) == ("StepTrace(kind='mlp', batch_size=1, layers=2-2-2, "
                           f"loss=MSELoss({fmt(trace.loss.value)}), optimizer=SGD(lr=0.5), "
                           "check=ok)")
    assert repr(graph) == "Graph(ops=5, parameters=4, constants=2, edges=10, root=MSELoss())"
    assert repr(history) == "History(epochs=2, loss=0.25, val_loss=0.3, events=0)"


def test_graph_is_svg_with_dot_and_only_svg(model):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    bundle = bp.explain.step_graph(model, X, T, nn.MSELoss())._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    svg = bundle["image/svg+xml"]
    assert "<svg" in svg and "0.weight" in svg and "MSELoss" in svg


def test_graph_without_dot_is_a_table_of_every_node_and_edge(model, monkeypatch):
    monkeypatch.setattr(graph_view.shutil, "which", lambda name: None)
    graph = bp.explain.step_graph(model, X, T, nn.MSELoss())
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["text/html"]
    html = bundle["text/html"]
    rows = re.findall(r"<tr><td>(n\d+)", html)
    assert rows == [n.id for n in graph.nodes]
    for e in graph.edges:
        src = next(n for n in graph.nodes if n.id == e.source)
        assert f"{e.source} {src.op}" in html
    for n in graph.nodes:
        assert escape(summary(n.value, 4)) in html and escape(summary(n.grad, 4)) in html


def test_vanishing_gradients_are_flagged_with_one_bar_per_layer():
    demo = bp.explain.vanishing_gradient_demo(depth=6, samples=8)
    sig, relu = demo["sigmoid"]._repr_html_(), demo["relu"]._repr_html_()
    assert "Vanishing gradients" in sig and 'class="bp-bad"' in sig
    assert "Gradients reach every layer" in relu and 'class="bp-good"' in relu
    widths = [int(w) for w in re.findall(r'bp-bar" style="width:(\d+)px', sig)]
    assert len(widths) == len(demo["sigmoid"].layers)
    assert widths == sorted(widths)  # sigmoid: each layer nearer the input gets less
    for layer in demo["sigmoid"].layers:
        assert f"{layer.grad_norm:.3g}" in sig


def test_gradient_check_lists_each_element_and_flags_the_ones_that_differ(model):
    check = bp.explain.gradient_check(model, X, T, nn.MSELoss())
    html = check._repr_html_()
    assert html.count(">ok</td>") == len(check.rows) == 12 and "DIFFERS" not in html
    bad = GradientCheck([GradientCheckRow("w[0]", 1.0, 2.0, 0.33), *check.rows], 1e-6, 0.33,
                        False, 1e-5)
    html = bad._repr_html_()
    assert "disagrees" in html and html.count("DIFFERS") == 1


def test_long_gradient_check_shows_its_worst_rows():
    rows = [GradientCheckRow(f"w[{i}]", 1.0, 1.0, i * 1e-9) for i in range(100)]
    html = GradientCheck(rows, 1e-6, 99e-9, True, 1e-5)._repr_html_()
    shown = re.findall(r"<tr><td>w\[(\d+)\]", html)
    assert len(shown) == report_views.MAX_CHECK_ROWS and shown[0] == "99"
    assert "largest relative errors of 100" in html


def test_weight_path_shows_each_factor_and_agrees_with_param_grad(model):
    path = bp.explain.weight_path(model, X, T, nn.MSELoss(), "0.weight[0, 1]")
    html = path._repr_html_()
    for p in path.paths:
        assert fmt(p.product, 6) in html
        for fa in p.factors:
            assert f"{fa.symbol} = {fmt(fa.value, 6)}".replace("'", "&#x27;") in html
    assert f"equals param.grad ({fmt(path.engine_grad, 6)})" in html
    assert r"\frac{\partial L}" in html


def test_descent_path_draws_a_png_and_tabulates_first_and_last_steps():
    path = bp.explain.descend(bp.explain.narrow_valley, [1.0, 1.0], 0.03, steps=20)
    html = path._repr_html_()
    (blob,) = _pngs(html)
    assert blob.startswith(b"\x89PNG")
    assert f"sgd, lr = 0.03: {path.regime}" in html
    assert "<td>20</td>" in html and "<td>4</td>" not in html and "…" in html
    assert fmt(path.values[-1], 6) in html


def test_diverging_path_with_non_finite_values_still_draws():
    path = bp.explain.descend(bp.explain.square, 1.0, 3.0, steps=400)
    assert path.regime == "diverging"
    (blob,) = _pngs(path._repr_html_())
    assert blob.startswith(b"\x89PNG")


def test_history_shows_loss_curves_table_and_events():
    epochs = list(range(1, 21))
    h = History(epochs=epochs, train_loss=[1 / e for e in epochs],
                val_loss=[1.5 / e for e in epochs], metrics={"accuracy": [e / 20 for e in epochs]},
                events=[Event("early_stop", 20, 200, "stopped: no improvement")],
                stop_reason="early stop")
    html = h._repr_html_()
    (blob,) = _pngs(html)
    assert blob.startswith(b"\x89PNG") and len(blob) > 5000
    epochs_shown = re.findall(r"<tr><td>(\d+)</td>", html)
    assert epochs_shown == ["1", "2", "3", "18", "19", "20"]
    assert "20 epochs, final loss 0.05, validation loss 0.075; stopped: early stop" in html
    assert "epoch 20: stopped: no improvement" in html


def test_empty_history_says_so():
    assert "no epoch recorded yet" in History()._repr_html_()


def test_displayed_strings_are_escaped():
    h = History(epochs=[1], train_loss=[0.5], events=[Event("lr", 1, 1, "<b>lr</b> & co")])
    html = h._repr_html_()
    assert "&lt;b&gt;lr&lt;/b&gt; &amp; co" in html and "<b>lr</b>" not in html


def test_figure_draws_into_a_binary_file_object():
    import io

    from backproplab.plots.loss_curves import plot_loss_curves

    buf = io.BytesIO()
    plot_loss_curves(History(epochs=[1, 2], train_loss=[1.0, numpy.nan]), buf)
    assert buf.getvalue().startswith(b"\x89PNG")
