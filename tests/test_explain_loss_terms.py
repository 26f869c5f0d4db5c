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
