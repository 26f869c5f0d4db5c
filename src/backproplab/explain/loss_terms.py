"""What the explanations say about each supported loss: its formula, its derivative and each
output's share of the total.

The shares are computed by the engine's own loss functions with ``reduction='none'`` (and its
``log_softmax`` for cross-entropy), scaled the way the chosen reduction scales them, so they add
up to the loss that was backpropagated. Formula and derivative text are the ops' own ``formula``
and ``derivative`` where one op is the loss (MSE, binary cross-entropy with and without logits,
softmax cross-entropy), written with the trace's names: yᵢ for output i, tᵢ for its target. The
LaTeX is written here, since the ops carry none.
"""

from dataclasses import dataclass

import numpy

from backproplab import nn
from backproplab.autograd.grad_mode import no_grad
from backproplab.nn import functional as F
from backproplab.ops.losses import BCEWithLogits, BinaryCrossEntropy, CrossEntropy, MSELoss
from backproplab.ops.softmax import LogSoftmax


@dataclass(frozen=True)
class LossText:
    formula: str
    latex: str
    derivative: str


def _mean(reduction: str, n: str) -> tuple[str, str]:
    return (f"(1/{n})·", rf"\frac{{1}}{{{n}}}") if reduction == "mean" else ("", "")


def loss_text(loss_fn) -> LossText:
    """Formula, LaTeX and derivative of ``loss_fn`` (y: the network's output, t: the target)."""
    r = getattr(loss_fn, "reduction", "mean")
    k, kl = _mean(r, "n")
    if isinstance(loss_fn, nn.MSELoss):
        formula = _indexed(MSELoss.formula, "y", "t").replace("Σ", "Σᵢ")
        derivative = _indexed(MSELoss.derivative[0], "y", "t")
        if not k:  # the op's text is the mean; a sum has no 1/n
            formula, derivative = formula.replace("(1/n) ", ""), derivative.replace("/n", "")
        return LossText(formula, rf"L = {kl}\sum_i (y_i - t_i)^2", derivative)
    if isinstance(loss_fn, nn.BCELoss):
        term = _indexed(BinaryCrossEntropy.formula, "p", "t")
        return LossText(f"L = {k}Σᵢ {term}",
                        rf"L = -{kl}\sum_i \left[t_i \ln y_i + (1 - t_i)\ln(1 - y_i)\right]",
                        _indexed(BinaryCrossEntropy.derivative[0], "p", "t")
                        + (" ÷ n" if k else ""))
    if isinstance(loss_fn, nn.BCEWithLogitsLoss):
        term = _indexed(BCEWithLogits.formula.removeprefix("L = "), "x", "t")
        lhs, rhs = _indexed(BCEWithLogits.derivative[0], "x", "t").split(" = ")
        return LossText(f"L = {k}Σᵢ {term}  (yᵢ: logits)",
                        rf"L = -{kl}\sum_i \left[t_i \ln \sigma(y_i) + (1 - t_i)"
                        rf"\ln(1 - \sigma(y_i))\right]",
                        f"{lhs} = ({rhs})/n" if k else f"{lhs} = {rhs}")
    if isinstance(loss_fn, nn.CrossEntropyLoss):
        k, kl = _mean(r, "N")
        # the op's text is about one sample's scores z and class t: here sample n's yₙ and tₙ
        term = (CrossEntropy.formula.removeprefix("L = -")
                .replace("(z)", "(yₙ)").replace("[t]", "[tₙ]"))
        lhs, rhs = CrossEntropy.derivative[0].replace("z", "y").split(" = ", 1)
        return LossText(f"L = -{k}Σₙ {term},  {LogSoftmax.formula}",
                        rf"L = -{kl}\sum_n \ln \frac{{e^{{y_{{n,t_n}}}}}}"
                        rf"{{\sum_j e^{{y_{{n,j}}}}}}",
                        f"{lhs} = ({rhs})/N" if k else f"{lhs} = {rhs}")
    name = type(loss_fn).__name__
    return LossText(f"L = {name}(y, t)", rf"L = \mathrm{{{name}}}(y, t)", "from the engine")


def _indexed(text: str, y: str, t: str) -> str:
    """An op's text about one output: its input ``y`` becomes yᵢ and its target ``t`` becomes tᵢ
    (the op texts name nothing else with those letters)."""
    return text.replace(t, "tᵢ").replace(y, "yᵢ")


def loss_terms(loss_fn, y, target) -> numpy.ndarray | None:
    """Each output's share of the loss, shape (batch, outputs), or None when the loss does not
    split that way (an unsupported loss, label smoothing, ignored classes)."""
    r = getattr(loss_fn, "reduction", None)
    if r not in ("mean", "sum"):
        return None
    with no_grad():
        if isinstance(loss_fn, nn.MSELoss):
            terms = F.mse_loss(y, target, "none").data
        elif isinstance(loss_fn, nn.BCELoss):
            terms = F.binary_cross_entropy(y, target, loss_fn.weight, "none").data
        elif isinstance(loss_fn, nn.BCEWithLogitsLoss):
            terms = F.binary_cross_entropy_with_logits(y, target, loss_fn.weight, "none",
                                                       loss_fn.pos_weight).data
        elif isinstance(loss_fn, nn.CrossEntropyLoss):
            return _cross_entropy_terms(loss_fn, y, target)
        else:
            return None
    return terms / terms.size if r == "mean" else terms


def _cross_entropy_terms(loss_fn, y, target):
    t = target.data
    if loss_fn.label_smoothing or numpy.any(t == loss_fn.ignore_index):
        return None
    onehot = numpy.eye(y.shape[1], dtype=y.data.dtype)[t]
    weights = numpy.ones(y.shape[1]) if loss_fn.weight is None else loss_fn.weight.data
    terms = -onehot * weights[None, :] * F.log_softmax(y, -1).data
    if loss_fn.reduction == "mean":
        terms = terms / weights[t].sum()
    return terms


def target_columns(loss_fn, y, target) -> numpy.ndarray:
    """The target per output, shape (batch, outputs): one-hot for class indices."""
    t = target.data
    if isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss)):
        return numpy.eye(y.shape[1])[t]
    return numpy.broadcast_to(t, y.shape)
