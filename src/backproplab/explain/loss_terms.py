"""What the explanations say about each supported loss: its formula, its derivative and each
output's share of the total.

The shares are computed by the engine's own loss functions with ``reduction='none'`` (and its
``log_softmax`` for cross-entropy), scaled the way the chosen reduction scales them, so they add
up to the loss that was backpropagated. Formula and derivative text are the ops' own ``formula``
and ``derivative`` where one op is the loss (MSE, binary cross-entropy with and without logits,
softmax cross-entropy), written with the trace's names: yᵢ for output i, tᵢ for its target.
The ops' text is the plain case; class weights, ``pos_weight`` and label smoothing, which the
traced numbers include, are written in here, as is the LaTeX, since the ops carry none.
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
    """Formula, LaTeX and derivative of ``loss_fn`` (y: the network's output, t: the target).

    Class weights, ``pos_weight`` and label smoothing change both the loss and its gradient, and
    the trace's numbers include them, so the text includes them too.
    """
    r = getattr(loss_fn, "reduction", "mean")
    k, kl = _mean(r, "n")
    weighted = getattr(loss_fn, "weight", None) is not None
    w, wl = ("wᵢ·", r"w_i ") if weighted else ("", "")
    if isinstance(loss_fn, nn.MSELoss):
        formula = _indexed(MSELoss.formula, "y", "t").replace("Σ", "Σᵢ")
        derivative = _indexed(MSELoss.derivative[0], "y", "t")
        if not k:  # the op's text is the mean; a sum has no 1/n
            formula, derivative = formula.replace("(1/n) ", ""), derivative.replace("/n", "")
        return LossText(formula, rf"L = {kl}\sum_i (y_i - t_i)^2", derivative)
    if isinstance(loss_fn, nn.BCELoss):
        term = _indexed(BinaryCrossEntropy.formula, "p", "t")
        lhs, rhs = _indexed(BinaryCrossEntropy.derivative[0], "p", "t").split(" = ")
        return LossText(f"L = {k}Σᵢ {_weigh(w, term)}",
                        rf"L = -{kl}\sum_i {wl}\left[t_i \ln y_i + (1 - t_i)\ln(1 - y_i)\right]",
                        f"{lhs} = {_times(w, rhs)}" + (" ÷ n" if k else ""))
    if isinstance(loss_fn, nn.BCEWithLogitsLoss):
        return _bce_with_logits_text(loss_fn, k, kl, w, wl)
    if isinstance(loss_fn, nn.CrossEntropyLoss):
        return _cross_entropy_text(loss_fn, r)
    name = type(loss_fn).__name__
    return LossText(f"L = {name}(y, t)", rf"L = \mathrm{{{name}}}(y, t)", "from the engine")


def _times(w: str, rhs: str) -> str:
    """``rhs`` multiplied by the weight factor ``w`` ("wᵢ·" or nothing)."""
    return f"{w}({rhs})" if w else rhs


def _weigh(w: str, term: str) -> str:
    """A loss term "-(…)" with the weight factor ``w`` written in front: "-wᵢ·(…)"."""
    return f"-{w}{term.removeprefix('-')}" if w else term


def _bce_with_logits_text(loss_fn, k, kl, w, wl) -> LossText:
    term = _indexed(BCEWithLogits.formula.removeprefix("L = "), "x", "t")
    lhs, rhs = _indexed(BCEWithLogits.derivative[0], "x", "t").split(" = ")
    tl = "t_i"
    if loss_fn.pos_weight is not None:
        # p scales the positive term: L = -(p·t·ln σ(y) + (1-t)·ln(1-σ(y))), so
        # ∂L/∂y = (1-t)·σ(y) - p·t·(1-σ(y)) = (1 + (p-1)·t)·σ(y) - p·t.
        term = term.replace("(tᵢ·", "(pᵢ·tᵢ·", 1)
        rhs = "(1 + (pᵢ - 1)·tᵢ)·σ(yᵢ) - pᵢ·tᵢ"
        tl = "p_i t_i"
    rhs = _times(w, rhs)
    return LossText(f"L = {k}Σᵢ {_weigh(w, term)}  (yᵢ: logits"
                    + (", pᵢ: pos_weight)" if loss_fn.pos_weight is not None else ")"),
                    rf"L = -{kl}\sum_i {wl}\left[{tl} \ln \sigma(y_i) + (1 - t_i)"
                    rf"\ln(1 - \sigma(y_i))\right]",
                    f"{lhs} = ({rhs})/n" if k else f"{lhs} = {rhs}")


def _cross_entropy_text(loss_fn, r: str) -> LossText:
    """The op's text is about one sample's scores z and class t: here sample n's yₙ and tₙ.

    Unweighted and unsmoothed it is the textbook softmax(y) - one-hot, averaged over N. Class
    weights w scale sample n by w[tₙ] and the mean divides by Σₙ w[tₙ]; label smoothing ε
    replaces the one-hot by q = (1-ε)·one-hot + ε/C (each class term weighted by its wᵢ)."""
    weighted = loss_fn.weight is not None
    eps = loss_fn.label_smoothing
    lhs, rhs = CrossEntropy.derivative[0].replace("z", "y").split(" = ", 1)
    term = (CrossEntropy.formula.removeprefix("L = -")
            .replace("(z)", "(yₙ)").replace("[t]", "[tₙ]"))
    k, _ = _mean(r, "Σₙ w[tₙ]" if weighted else "N")
    _, kl = _mean(r, r"\sum_n w_{t_n}" if weighted else "N")
    ln_softmax = r"\ln \frac{e^{y_{n,%s}}}{\sum_j e^{y_{n,j}}}"
    if eps:
        q = f"qᵢ = (1 - ε)·{'w[t]·' if weighted else ''}[i = t] + ε{'·wᵢ' if weighted else ''}/C"
        formula = f"L = -{k}Σₙ Σᵢ qₙᵢ·log_softmax(yₙ)ᵢ,  {q} (ε = {eps:g}, C classes)"
        latex = rf"L = -{kl}\sum_n \sum_i q_{{n,i}} " + ln_softmax % "i"
        rhs = "softmax(y)ᵢ·Σⱼ qⱼ - qᵢ" if weighted else "softmax(y)ᵢ - qᵢ"
        where = f",  {q}"
    else:
        formula = f"L = -{k}Σₙ {'w[tₙ]·' if weighted else ''}{term}"
        latex = rf"L = -{kl}\sum_n {'w_{t_n} ' if weighted else ''}" + ln_softmax % "t_n"
        where = ""
        if weighted:
            rhs = f"w[t]·({rhs})"
    if k:
        divisor = k.removeprefix("(1/").removesuffix(")·")
        rhs = f"{rhs}/{divisor}" if rhs.startswith("w[t]·(") else f"({rhs})/{divisor}"
    return LossText(f"{formula},  {LogSoftmax.formula}", latex, f"{lhs} = {rhs}{where}")


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
            terms = F.mse_loss(y, target, "none").array
        elif isinstance(loss_fn, nn.BCELoss):
            terms = F.binary_cross_entropy(y, target, loss_fn.weight, "none").array
        elif isinstance(loss_fn, nn.BCEWithLogitsLoss):
            terms = F.binary_cross_entropy_with_logits(y, target, loss_fn.weight, "none",
                                                       loss_fn.pos_weight).array
        elif isinstance(loss_fn, nn.CrossEntropyLoss):
            return _cross_entropy_terms(loss_fn, y, target)
        else:
            return None
    return terms / terms.size if r == "mean" else terms


def _cross_entropy_terms(loss_fn, y, target):
    t = target.array
    if loss_fn.label_smoothing or numpy.any(t == loss_fn.ignore_index):
        return None
    onehot = numpy.eye(y.shape[1], dtype=y.array.dtype)[t]
    weights = numpy.ones(y.shape[1]) if loss_fn.weight is None else loss_fn.weight.array
    terms = -onehot * weights[None, :] * F.log_softmax(y, -1).array
    if loss_fn.reduction == "mean":
        terms = terms / weights[t].sum()
    return terms


def target_columns(loss_fn, y, target) -> numpy.ndarray:
    """The target per output, shape (batch, outputs): one-hot for class indices."""
    t = target.array
    if isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss)):
        return numpy.eye(y.shape[1])[t]
    return numpy.broadcast_to(t, y.shape)
