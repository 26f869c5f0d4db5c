"""loss_terms: the loss text a learner reads is the fused ops' own, and the shares add up."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.explain.loss_terms import loss_text
from backproplab.ops.losses import BCEWithLogits, BinaryCrossEntropy, CrossEntropy, MSELoss
from tests.test_explain_trace_step import MAZUR


def _unindexed(text: str, y: str, t: str) -> str:
    return text.replace("yᵢ", y).replace("tᵢ", t)


@pytest.mark.parametrize(("loss_fn", "op", "y", "t"), [
    (nn.MSELoss(), MSELoss, "y", "t"),
    (nn.BCELoss(reduction="sum"), BinaryCrossEntropy, "p", "t"),
    (nn.BCEWithLogitsLoss(reduction="sum"), BCEWithLogits, "x", "t"),
])
def test_loss_derivative_text_is_the_fused_ops_own(loss_fn, op, y, t):
    derivative = loss_text(loss_fn).derivative
    assert _unindexed(derivative, y, t) == op.derivative[0]


def test_mse_text_follows_the_reduction():
    mean, total = loss_text(nn.MSELoss()), loss_text(nn.MSELoss(reduction="sum"))
    assert mean.formula == "L = (1/n) Σᵢ (yᵢ - tᵢ)²"
    assert mean.derivative == "∂L/∂yᵢ = 2(yᵢ - tᵢ)/n"
    assert total.formula == "L = Σᵢ (yᵢ - tᵢ)²" and total.derivative == "∂L/∂yᵢ = 2(yᵢ - tᵢ)"


def test_bce_with_logits_text_names_logits_and_divides_the_whole_derivative_by_n():
    text = loss_text(nn.BCEWithLogitsLoss())
    assert text.formula == "L = (1/n)·Σᵢ -(tᵢ·ln σ(yᵢ) + (1 - tᵢ)·ln(1 - σ(yᵢ)))  (yᵢ: logits)"
    assert text.derivative == "∂L/∂yᵢ = (σ(yᵢ) - tᵢ)/n"


@pytest.mark.parametrize("loss_fn", [nn.MSELoss(), nn.MSELoss(reduction="sum"),
                                     nn.BCEWithLogitsLoss()])
def test_trace_shows_the_op_text_and_gradients_that_match_it(loss_fn):
    logits = isinstance(loss_fn, nn.BCEWithLogitsLoss)
    spec = {**MAZUR, "output_activation": None} if logits else MAZUR
    trace = bp.explain.trace_step(nn.from_spec(spec), [0.05, 0.10], [0.01, 0.99], loss_fn,
                                  lr=0.5)
    loss = trace.to_dict()["loss"]
    assert loss["derivative"] == loss_text(loss_fn).derivative
    y = numpy.array([o["prediction"][0] for o in loss["outputs"]])
    t = numpy.array([0.01, 0.99])
    n = 1 if loss_fn.reduction == "sum" else 2
    if isinstance(loss_fn, nn.MSELoss):
        expected = 2 * (y - t) / n  # ∂L/∂yᵢ = 2(yᵢ - tᵢ)/n
    else:
        expected = (1 / (1 + numpy.exp(-y)) - t) / n  # ∂L/∂yᵢ = (σ(yᵢ) - tᵢ)/n
    assert [o["grad"][0] for o in loss["outputs"]] == pytest.approx(expected, abs=1e-12)
    assert sum(o["term"][0] for o in loss["outputs"]) == pytest.approx(loss["value"], abs=1e-12)


def test_cross_entropy_text_is_the_fused_ops_own_written_per_sample():
    mean = loss_text(nn.CrossEntropyLoss())
    total = loss_text(nn.CrossEntropyLoss(reduction="sum"))
    assert total.derivative.replace("y", "z") == CrossEntropy.derivative[0]
    assert mean.derivative == "∂L/∂yᵢ = (softmax(y)ᵢ - [i = t])/N"
    assert mean.formula.startswith("L = -(1/N)·Σₙ log_softmax(yₙ)[tₙ],  ")
    assert total.formula.startswith("L = -Σₙ log_softmax(yₙ)[tₙ],  ")


def test_cross_entropy_trace_gradients_are_softmax_minus_one_hot_over_n():
    spec = {**MAZUR, "output_activation": None}
    x, t = [[0.05, 0.10], [0.3, -0.2]], [1, 0]
    loss = bp.explain.trace_step(nn.from_spec(spec), x, t, nn.CrossEntropyLoss(),
                                 lr=0.5).to_dict()["loss"]
    assert loss["derivative"] == loss_text(nn.CrossEntropyLoss()).derivative
    y = numpy.array([o["prediction"] for o in loss["outputs"]]).T  # (samples, outputs)
    softmax = numpy.exp(y) / numpy.exp(y).sum(axis=1, keepdims=True)
    expected = (softmax - numpy.eye(2)[t]) / len(t)  # ∂L/∂yᵢ = (softmax(y)ᵢ - [i = t])/N
    grads = numpy.array([o["grad"] for o in loss["outputs"]]).T
    numpy.testing.assert_allclose(grads, expected, atol=1e-12)


def _class_trace(loss_fn, t):
    spec = {**MAZUR, "output_activation": None}
    x = [[0.05, 0.10], [0.3, -0.2], [-0.4, 0.7]]
    loss = bp.explain.trace_step(nn.from_spec(spec), x, t, loss_fn, lr=0.5).to_dict()["loss"]
    y = numpy.array([o["prediction"] for o in loss["outputs"]]).T  # (samples, outputs)
    grads = numpy.array([o["grad"] for o in loss["outputs"]]).T
    return loss, y, grads


def _softmax(y):
    return numpy.exp(y) / numpy.exp(y).sum(axis=1, keepdims=True)


def test_weighted_cross_entropy_text_and_gradients_carry_the_class_weights():
    w, t = numpy.array([1.0, 3.0]), [1, 0, 1]
    loss_fn = nn.CrossEntropyLoss(weight=w)
    loss, y, grads = _class_trace(loss_fn, t)
    assert loss["derivative"] == "∂L/∂yᵢ = w[t]·(softmax(y)ᵢ - [i = t])/Σₙ w[tₙ]"
    assert loss_text(loss_fn).formula.startswith("L = -(1/Σₙ w[tₙ])·Σₙ w[tₙ]·log_softmax")
    # the text read as NumPy: w[t]·(softmax(y) - one-hot) / Σₙ w[tₙ]
    expected = w[t][:, None] * (_softmax(y) - numpy.eye(2)[t]) / w[t].sum()
    numpy.testing.assert_allclose(grads, expected, atol=1e-12)


@pytest.mark.parametrize("weight", [None, [1.0, 3.0]])
def test_label_smoothing_text_and_gradients_use_the_smoothed_target(weight):
    eps, t = 0.2, [1, 0, 1]
    loss_fn = nn.CrossEntropyLoss(weight=weight, label_smoothing=eps)
    loss, y, grads = _class_trace(loss_fn, t)
    w = numpy.ones(2) if weight is None else numpy.array(weight)
    # qᵢ = (1 - ε)·w[t]·[i = t] + ε·wᵢ/C, and ∂L/∂yᵢ = (softmax(y)ᵢ·Σⱼ qⱼ - qᵢ)/Σₙ w[tₙ]
    q = (1 - eps) * w[t][:, None] * numpy.eye(2)[t] + eps * w[None, :] / 2
    expected = (_softmax(y) * q.sum(axis=1, keepdims=True) - q) / w[t].sum()
    numpy.testing.assert_allclose(grads, expected, atol=1e-12)
    assert "qᵢ = (1 - ε)·" in loss["derivative"] and "(ε = 0.2, C classes)" in \
        loss_text(loss_fn).formula
    if weight is None:
        assert loss["derivative"].startswith("∂L/∂yᵢ = (softmax(y)ᵢ - qᵢ)/N,  ")


def test_pos_weight_text_and_gradients_scale_the_positive_term():
    p = 3.0
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=[p])
    spec = {**MAZUR, "output_activation": None}
    trace = bp.explain.trace_step(nn.from_spec(spec), [0.05, 0.10], [0.0, 1.0], loss_fn, lr=0.5)
    loss = trace.to_dict()["loss"]
    assert loss["derivative"] == "∂L/∂yᵢ = ((1 + (pᵢ - 1)·tᵢ)·σ(yᵢ) - pᵢ·tᵢ)/n"
    y = numpy.array([o["prediction"][0] for o in loss["outputs"]])
    t = numpy.array([0.0, 1.0])
    expected = ((1 + (p - 1) * t) / (1 + numpy.exp(-y)) - p * t) / 2
    assert [o["grad"][0] for o in loss["outputs"]] == pytest.approx(expected, abs=1e-12)
