"""Named readouts: the live numbers a lesson binds to, computed in the session's process.

Each readout is a function of the session (and the stage) returning its ``value`` (what tests
and the page read) and a short ``text`` in the words a student reads. The numbers come from
the library's public API — ``bp.explain.gradient_health`` and ``gradient_check``, the model's
forward pass and loss, ``bp.explain.descend`` through the lab's descent mode — and from the
session's epoch log and training state; nothing here repeats the math.
"""

import math

import numpy

from backproplab import explain
from backproplab.autograd.grad_mode import no_grad
from backproplab.creation import from_numpy
from backproplab.explain.trace_step import neuron_labels
from backproplab.lab import gradients
from backproplab.lab.descent import descent_path

TRACED_ROWS = 64
"""Rows ``gradient_health`` looks at (the most ``bp.explain`` traces in one step): the first
training rows, the same ones every time."""

TREND_EPOCHS = 30
"""Epochs the loss trend looks back over."""

OSCILLATION_JUMP = 0.1
"""An epoch whose loss is this fraction above the previous epoch's is a jump up; two or more
in the recent epochs are an oscillation. Shuffled mini-batches make a well-tuned run's loss
rise now and then too, but by a few per cent (under 2 % on circles at lr 0.3); an overshooting
one jumps by tens of per cent (40–190 % at lr 3)."""


def _g(v: float) -> str:
    return _minus(f"{v:.2g}" if abs(v) < 1e-3 or abs(v) >= 1e4 else f"{v:.3g}")


def _minus(text: str) -> str:
    """A number's text with '−', the minus sign the readouts' formulas (and the page) use."""
    return text.replace("-", "−")


def _factor(v: float) -> str:
    """A number as a factor of a product: negative ones in parentheses, ``(−0.37)``."""
    return f"(−{_g(-v)})" if v < 0 else _g(v)


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def _train_rows(session) -> numpy.ndarray:
    return numpy.flatnonzero(~session.points.is_test)


def _health(session):
    return gradients.health_report(session)  # the gradient panel's check, the same numbers


def gradient_ratio(session, stage) -> tuple:
    health = _health(session)
    ratio = health.first_to_last_ratio
    if ratio is None:
        return None, "no gradient reaches the first layer"
    n = len(health.layers)
    return ratio, (f"the first layer's gradient is {_g(ratio)} of the last layer's "
                   f"(‖∂L/∂W‖ on the first {len(gradients.health_rows(session))} training "
                   f"rows: layer 1 {_g(health.layers[0].grad_norm)}, layer {n} "
                   f"{_g(health.layers[-1].grad_norm)})")


def dead_units(session, stage) -> tuple:
    health = _health(session)
    dead = [(i + 1, len(h.dead_units)) for i, h in enumerate(health.layers[:-1]) if h.dead_units]
    if not dead:
        return 0, "no dead units: every hidden unit passes gradient for some sample"
    sizes = session.network.sizes
    parts = [f"{n} of {sizes[i]} units in layer {i} {'is' if n == 1 else 'are'} dead"
             for i, n in dead]
    return sum(n for _, n in dead), "; ".join(parts) + " (gradient 0 on every sample)"


def train_loss(session, stage) -> tuple:
    v = session.log.last("train_loss")
    return v, "no epoch finished yet" if v is None else f"training loss {_g(v)}"


def test_loss(session, stage) -> tuple:
    v = session.log.last("test_loss")
    return v, "no epoch finished yet" if v is None else f"test loss {_g(v)}"


def loss_gap(session, stage) -> tuple:
    train, test = session.log.last("train_loss"), session.log.last("test_loss")
    if train is None or test is None:
        return None, "no epoch finished yet"
    ratio = test / train if train > 0 else math.inf
    text = f"test loss {_g(test)} is {_g(ratio)}× the training loss {_g(train)}"
    return (ratio if math.isfinite(ratio) else None), text


def accuracy(session, stage) -> tuple:
    train, test = session.log.last("accuracy"), session.log.last("test_accuracy")
    if train is None:
        return None, "no epoch finished yet"
    text = f"training accuracy {_pct(train)}"
    return train, text + ("" if test is None else f", test accuracy {_pct(test)}")


def loss_trend(session, stage) -> tuple:
    """Diverging, oscillating, falling or flat, from the last epochs of the log."""
    if session.diverged is not None:
        return "diverging", "diverging: the loss blew up, so training stopped"
    losses = [v for v in session.log.columns["train_loss"][-TREND_EPOCHS:] if v is not None]
    if len(losses) < 5:
        return None, "train a few epochs to see the trend"
    values = numpy.asarray(losses)
    jumps = numpy.diff(values) / numpy.maximum(values[:-1], 1e-12)
    big = jumps[jumps > OSCILLATION_JUMP]
    if len(big) >= 2:
        return "oscillating", (f"oscillating: the loss jumped up {len(big)} times in the last "
                               f"{len(losses)} epochs (by up to {_pct(float(big.max()))}) — the "
                               "steps overshoot")
    fall = (losses[0] - losses[-1]) / losses[0] if losses[0] > 0 else 0.0
    if fall < 0.01:
        return "flat", f"flat: the loss fell {_pct(fall)} over the last {len(losses)} epochs"
    return "falling", f"falling: {_pct(fall)} lower than {len(losses)} epochs ago"


def loss_fall(session, stage) -> tuple:
    """The training loss at the stage's ``epochs`` (the epoch Play pauses at) against the first
    epoch's, from the epoch log: "how far has the loss fallen after 100 epochs"."""
    log = session.log.columns
    if not log["epoch"] or log["train_loss"][0] is None:
        return None, "no epoch finished yet"
    target = stage.epochs or log["epoch"][-1]
    i = max(k for k, e in enumerate(log["epoch"]) if e <= target or k == 0)
    epoch, first, at = log["epoch"][i], log["train_loss"][0], log["train_loss"][i]
    fall = (first - at) / first if first > 0 else 0.0
    value = {"epoch": epoch, "first": first, "loss": at, "fall": fall}
    change = f"{_pct(fall)} lower" if fall >= 0 else f"{_pct(-fall)} higher"
    text = f"epoch {log['epoch'][0]}: {_g(first)} → epoch {epoch}: {_g(at)}, {change}"
    if epoch < target:
        text += f" (so far; Play pauses at epoch {target})"
    return value, text


def all_rows_right(session, stage) -> tuple:
    """The first epoch whose training accuracy in the epoch log (each row as the network
    classified it at that epoch's step) was 100 %."""
    log = session.log.columns
    if not log["epoch"] or log["accuracy"][-1] is None:
        return None, "no epoch finished yet"
    rows = len(_train_rows(session))
    first = next((e for e, a in zip(log["epoch"], log["accuracy"], strict=True) if a == 1.0),
                 None)
    if first is None:
        right = round(log["accuracy"][-1] * rows)
        return None, f"not yet: {right} of {rows} training rows right in epoch {log['epoch'][-1]}"
    return first, f"all {rows} training rows right for the first time in epoch {first}"


def code_values(session, stage) -> tuple:
    """The autoencoder's codes of its rows: their range, and how close the closest two are."""
    codes = session.network.encode(session.points.x)
    gaps = numpy.linalg.norm(codes[:, None, :] - codes[None, :, :], axis=-1)
    gaps[numpy.diag_indices(len(codes))] = numpy.inf
    low, high, closest = float(codes.min()), float(codes.max()), float(gaps.min())
    return {"min": low, "max": high, "closest": closest}, (
        f"code values from {_g(low)} to {_g(high)}: any numbers, not just 0 and 1; the two "
        f"closest codes are {_g(closest)} apart")


def best_epoch(session, stage) -> tuple:
    """Early stopping's best epoch and its test loss (``bp.train.EarlyStopping``)."""
    epoch = session.best_epoch()
    if epoch is None:
        return None, "switch early stopping on and train to see the best epoch"
    best, now = session.early.best, session.log.last("test_loss")
    return {"epoch": epoch, "test_loss": best}, (
        f"best epoch {epoch}: test loss {_g(best)}" +
        ("" if now is None else f" (now {_g(now)}, epoch {session.epoch})"))


def plateau(session, stage) -> tuple:
    message = session.plateau.message
    return message is not None, message or "not stuck: the loss is still falling or is low"


def steps_per_epoch(session, stage) -> tuple:
    rows, size = len(_train_rows(session)), session.config.batch_size
    per_epoch = math.ceil(rows / size)
    text = (f"batch size {size} on {rows} training rows: {per_epoch} step"
            f"{'s make' if per_epoch != 1 else ' makes'} one epoch")
    if session.epoch:
        text += f" (now step {session.step_count}, epoch {session.epoch})"
    return per_epoch, text


def last_update(session, stage) -> tuple:
    """The parameter with the largest gradient, and the change the last step made to it."""
    if session.last_update is None:
        return None, "take a step to see a weight change"
    params = session.network.parameters()
    candidates = []
    for layer, (linear, _) in enumerate(session.network.layers):
        for kind, p in (("weight", linear.weight), ("bias", linear.bias)):
            if p is not None and p.grad is not None:
                index = numpy.unravel_index(numpy.abs(p.grad.array).argmax(), p.array.shape)
                candidates.append((abs(float(p.grad.array[index])), layer, kind, p, index))
    if not candidates:
        return None, "take a step to see a weight change"
    _, layer, kind, p, index = max(candidates, key=lambda c: c[0])
    before = session.last_update[next(i for i, q in enumerate(params) if q is p)]
    delta = float(p.array[index]) - float(before[index])
    grad = float(p.grad.array[index])
    lr = session.optimizer.param_groups[0]["lr"]
    where = ", ".join(str(int(i)) for i in index)
    value = {"layer": layer + 1, "kind": kind, "index": [int(i) for i in index], "grad": grad,
             "delta": delta, "lr": lr}
    return value, (f"layer {layer + 1}, {kind} [{where}]: ∂L/∂{kind[0]} = {_g(grad)}; the step "
                   f"changed it by {_g(delta)} (−lr·∂L/∂{kind[0]} = −{lr:g} × {_factor(grad)} "
                   f"= {_g(-lr * grad)})")


def sample_loss(session, stage) -> tuple:
    """The selected row's prediction and loss (the forward pass and the loss of one step)."""
    i = session.selected
    rows = numpy.array([i])
    with no_grad():
        out = session.network.model(from_numpy(session._x[rows]))
        loss = float(session.network.loss_fn(out, from_numpy(session._t[rows])).array)
    prediction = float(session.network.outputs(session._x[rows])[0].ravel()[0])
    target = float(numpy.asarray(session.points.y[i]).ravel()[0])
    return loss, (f"row {i}: target {_minus(f'{target:g}')}, "
                  f"prediction {_minus(f'{prediction:.3f}')}, "
                  f"loss {_g(loss)}")


def step_loss_change(session, stage) -> tuple:
    """The selected row's loss before the last step (what that step's forward pass computed)
    and now, after it."""
    last = session.last_step_loss
    if last is None or last[0] != [session.selected] or last[2] != session.weights_version:
        return None, "press Step to train on the selected row and compare its loss"
    before, after = last[1], sample_loss(session, stage)[0]
    change = (f"{_pct((before - after) / before)} lower" if after <= before else
              f"{_pct((after - before) / before)} higher")
    return {"before": before, "after": after}, (
        f"row {session.selected}: loss {_g(before)} before the step, {_g(after)} after it: "
        f"{change}")


def gradient_check(session, stage) -> tuple:
    """Backprop's gradient of the selected row against a finite difference, every weight."""
    rows = numpy.array([session.selected])
    try:
        check = explain.gradient_check(session.network.model, session._x[rows],
                                       session._t[rows], session.network.loss_fn)
    except ValueError as e:
        return None, str(e)
    first = max(check.rows, key=lambda r: abs(r.analytic or 0.0))
    return check.max_relative_error, (
        f"∂L/∂{_parameter_name(session, first.name)} by backprop (the chain rule): "
        f"{_minus(f'{first.analytic:.6g}')}; by nudging it ±{_minus(f'{check.eps:g}')}: "
        f"{_minus(f'{first.numeric:.6g}')}. All "
        f"{len(check.rows)} parameters agree to {_g(check.max_relative_error)} (relative)")


def _parameter_name(session, key: str) -> str:
    """``2.bias[0]`` as the step-by-step panel and the network view name it, counting neurons
    from 1: ``b of o1 (layer 2, neuron 1)``, ``w from x2 to h1 (layer 1, neuron 1)``."""
    path, _, index = key.partition("[")
    names = {f"{name}": p for name, p in session.network.model.named_parameters()}
    depth = len(session.network.layers)
    for layer, (linear, _) in enumerate(session.network.layers, start=1):
        outs = neuron_labels(depth, layer - 1, linear.weight.shape[0])
        if names.get(path) is linear.weight:
            row, col = (int(v) for v in index.rstrip("]").split(", "))
            ins = neuron_labels(depth, layer - 2, linear.weight.shape[1])
            return f"w from {ins[col]} to {outs[row]} (layer {layer}, neuron {row + 1})"
        if names.get(path) is linear.bias:
            row = int(index.rstrip("]"))
            return f"b of {outs[row]} (layer {layer}, neuron {row + 1})"
    return key


def descent_end(session, stage) -> tuple:
    """Where the stage's gradient descent ends (the same ``bp.explain.descend`` path the
    descent view draws)."""
    if stage.descent is None:
        return None, "this stage runs no gradient descent"
    d = stage.descent
    path = descent_path(d.function, d.start, d.lr, d.steps, d.optimizer)["path"]
    end, f_end, steps = path["points"][-1], path["values"][-1], len(path["points"]) - 1
    where = "x = " + (_g(end) if not isinstance(end, list) else
                      f"({', '.join(_g(v) for v in end)})")
    value = {"end": end, "f": f_end, "regime": path["regime"], "steps": steps}
    start = _g(d.start[0]) if len(d.start) == 1 else f"({', '.join(_g(v) for v in d.start)})"
    return value, (f"from {start} with lr {d.lr:g}: after {steps} steps {where}, "
                   f"f = {_g(f_end)} — {path['regime']}")


def reconstruction(session, stage) -> tuple:
    """Rows whose every output lands on the right side of 0.5 (0/1 inputs), else mean error."""
    x = session.points.x
    out = session.network.outputs(x)
    code = session.config.bottleneck
    if set(numpy.unique(x)) <= {0.0, 1.0}:
        exact = int(((out > 0.5) == (x > 0.5)).all(axis=1).sum())
        return exact, (f"{exact} of {len(x)} rows come back exactly (every output on the "
                       f"right side of 0.5) through a code of {code} number"
                       f"{'s' if code != 1 else ''}")
    error = float(((out - x) ** 2).mean())
    return error, f"mean squared reconstruction error {_g(error)} through a code of {code}"


READOUTS = {
    "gradient_ratio": ("gradient ratio", gradient_ratio),
    "dead_units": ("dead units", dead_units),
    "train_loss": ("training loss", train_loss),
    "test_loss": ("test loss", test_loss),
    "loss_gap": ("test vs training loss", loss_gap),
    "accuracy": ("accuracy", accuracy),
    "loss_trend": ("loss trend", loss_trend),
    "plateau": ("plateau", plateau),
    "best_epoch": ("early stopping", best_epoch),
    "loss_fall": ("loss fallen", loss_fall),
    "all_rows_right": ("all rows right", all_rows_right),
    "code_values": ("codes", code_values),
    "steps_per_epoch": ("steps per epoch", steps_per_epoch),
    "last_update": ("last update", last_update),
    "sample_loss": ("forward pass and loss", sample_loss),
    "step_loss_change": ("loss before and after", step_loss_change),
    "gradient_check": ("chain rule check", gradient_check),
    "descent_end": ("where descent ends", descent_end),
    "reconstruction": ("reconstruction", reconstruction),
}
"""Readout name → (label the panel shows, function of (session, stage) → (value, text))."""


def compute(stage, session) -> list[dict]:
    """The stage's readouts now, each {name, label, value, text}."""
    out = []
    for name in stage.readouts:
        label, fn = READOUTS[name]
        value, text = fn(session, stage)
        out.append({"name": name, "label": label, "value": _json(value), "text": text})
    return out


def _json(value):
    """Floats rounded to 7 significant digits, NaN/Inf as None (JSON has neither)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.7g}") if math.isfinite(value) else None
    return value
