"""Random training runs, eager and through bp.compile, that must agree bit for bit.

test_compile.py checks each optimizer, loss and activation family on one small network with
6-row batches. The tape's optimizations (optimize.py, stack.py, forms.py, flat.py, layout.py)
depend on shapes, though: a mean over one value was dropped as ``x·1`` and only one-row
batches showed it. So a program here draws a network (depth, widths of 1 and up, activations,
normalization layers), a loss, an optimizer, a dtype, a batch size and a data set whose last
batch is smaller, a step body (plain, with gradient clipping, returning the output too) and
mid-run changes a user makes (learning rate, weight decay, eval mode for one step); it runs
the same seeded run eagerly and compiled and compares every returned value, and at the end
every parameter, gradient, optimizer state and buffer, bit for bit (-0.0 is not 0.0).
"""

import numpy as np

import backproplab as bp
from backproplab import nn

ACTIVATIONS = [nn.Tanh, nn.Sigmoid, nn.ReLU, lambda: nn.LeakyReLU(0.1), nn.ELU, nn.GELU,
               lambda: nn.GELU(approximate="tanh"), nn.Softplus]
# (loss, output activation or None, kind of target)
LOSSES = [
    (nn.MSELoss, None, "real"), (lambda: nn.MSELoss(reduction="sum"), None, "real"),
    (nn.L1Loss, None, "real"), (lambda: nn.HuberLoss(delta=0.5), None, "real"),
    (nn.BCELoss, nn.Sigmoid, "binary"), (nn.BCEWithLogitsLoss, None, "binary"),
    (lambda: nn.BCEWithLogitsLoss(reduction="sum"), None, "binary"),
    (nn.CrossEntropyLoss, None, "classes"),
    (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), None, "classes"),
    (nn.NLLLoss, lambda: nn.LogSoftmax(dim=1), "classes"),
]
OPTIMIZERS = [
    lambda p: bp.optim.SGD(p, lr=0.1),
    lambda p: bp.optim.SGD(p, lr=0.05, momentum=0.9),
    lambda p: bp.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3),
    lambda p: bp.optim.Adam(p, lr=0.01),
    lambda p: bp.optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=1e-2),
    lambda p: bp.optim.AdamW(p, lr=0.01),
    lambda p: bp.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
    lambda p: bp.optim.Adagrad(p, lr=0.1),
]
BODIES = ("plain", "clip", "with_output")


class Mismatch(AssertionError):
    pass


def draw(seed: int) -> dict:
    """The program of ``seed``: everything a run needs, as plain values."""
    rng = np.random.default_rng(seed)
    loss = int(rng.integers(len(LOSSES)))
    kind = LOSSES[loss][2]
    n_out = int(rng.choice([2, 3, 5])) if kind == "classes" else int(rng.choice([1, 1, 2, 3]))
    hidden = [int(rng.choice([1, 2, 3, 4, 8, 16])) for _ in range(int(rng.integers(0, 4)))]
    batch = int(rng.choice([1, 1, 2, 3, 4, 7, 16, 32]))
    norm = str(rng.choice(["none", "none", "layer", "batch"])) if hidden else "none"
    if norm == "batch":
        batch = max(batch, 2)  # batch norm needs two rows in training mode
    rows = int(rng.integers(batch, 3 * batch + 2))
    if norm == "batch" and rows % batch == 1:
        rows += 1  # and so does the last, smaller batch
    program = {
        "seed": seed, "dtype": np.float64 if rng.random() < 0.3 else np.float32,
        "n_in": int(rng.choice([1, 2, 3, 5])), "hidden": hidden, "n_out": n_out,
        "acts": [int(rng.integers(len(ACTIVATIONS))) for _ in hidden], "norm": norm,
        "loss": loss, "optimizer": int(rng.integers(len(OPTIMIZERS))), "batch": batch,
        "rows": rows, "steps": int(rng.integers(12, 40)), "body": str(rng.choice(BODIES)),
        "lr_change": int(rng.integers(3, 12)), "decay_change": int(rng.integers(3, 20)),
        "eval_step": int(rng.integers(3, 30)) if norm == "batch" else -1,
        # drawn last, so the programs of earlier seeds keep what they drew before these came
        "frozen": bool(rng.random() < 0.15) and bool(hidden),
        "groups": bool(rng.random() < 0.2), "accumulate": bool(rng.random() < 0.15),
    }
    if program["accumulate"]:  # each batch shape starts with and without gradients: more
        program["steps"] += 30  # traces before the first replay
    return program


def describe(p: dict) -> str:
    sizes = "-".join(map(str, [p["n_in"], *p["hidden"], p["n_out"]]))
    return (f"seed {p['seed']}: {sizes} norm={p['norm']} loss#{p['loss']} opt#{p['optimizer']} "
            f"{np.dtype(p['dtype']).name} batch {p['batch']} of {p['rows']} rows, "
            f"{p['steps']} steps, body {p['body']}"
            + "".join(f", {k}" for k in ("frozen", "groups", "accumulate") if p[k]))


def _model(p):
    bp.manual_seed(p["seed"])
    layers, width = [], p["n_in"]
    for i, (h, act) in enumerate(zip(p["hidden"], p["acts"], strict=True)):
        layers.append(nn.Linear(width, h))
        if i == 0 and p["norm"] == "layer":
            layers.append(nn.LayerNorm(h))
        elif i == 0 and p["norm"] == "batch":
            layers.append(nn.BatchNorm1d(h))
        layers.append(ACTIVATIONS[act]())
        width = h
    layers.append(nn.Linear(width, p["n_out"]))
    out_act = LOSSES[p["loss"]][1]
    if out_act is not None:
        layers.append(out_act())
    return nn.Sequential(*layers).to(p["dtype"])


def _batches(p):
    rng = np.random.default_rng(p["seed"] + 1)
    x = rng.standard_normal((p["rows"], p["n_in"])).astype(p["dtype"])
    kind = LOSSES[p["loss"]][2]
    if kind == "classes":
        y = rng.integers(0, p["n_out"], p["rows"])
    elif kind == "binary":
        y = (rng.random((p["rows"], p["n_out"])) > 0.5).astype(p["dtype"])
    else:
        y = rng.standard_normal((p["rows"], p["n_out"])).astype(p["dtype"])
    return [(bp.tensor(x[i:i + p["batch"]]), bp.tensor(y[i:i + p["batch"]]))
            for i in range(0, p["rows"], p["batch"])]


def _step(p, model, opt, loss_fn):
    body = p["body"]

    def step(x, y):
        if not p["accumulate"]:
            opt.zero_grad()
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        if body == "clip":
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        return (loss, out.detach()) if body == "with_output" else loss

    return step


def _optimizer(p, model):
    """The program's optimizer: its first layer frozen, or in a group of its own at half the
    learning rate, when the program says so."""
    first, rest = list(model[0].parameters()), [q for q in model.parameters()][2:]
    if p["frozen"]:
        for q in first:
            q.requires_grad_(False)
    opt = OPTIMIZERS[p["optimizer"]](model.parameters())
    if p["groups"]:
        lr = opt.param_groups[0]["lr"]
        opt = type(opt)([{"params": rest}, {"params": first, "lr": lr / 2}], **{
            k: v for k, v in opt.defaults.items() if k != "lr"}, lr=lr)
    return opt


def run(p: dict, compiled: bool) -> tuple:
    """(returned values of every step as bytes, final state as name -> bytes, compiled step)."""
    model = _model(p)
    opt = _optimizer(p, model)
    step = _step(p, model, opt, LOSSES[p["loss"]][0]())
    run_step = bp.compile(step) if compiled else step
    batches = _batches(p)
    returned = []
    for i in range(p["steps"]):
        if i == p["lr_change"]:
            opt.param_groups[0]["lr"] *= 0.5
        if i == p["decay_change"]:
            opt.param_groups[0]["weight_decay"] = 1e-3 - opt.param_groups[0]["weight_decay"]
        if i == p["eval_step"]:
            model.eval()
        if p["accumulate"] and i % 2 == 0:
            opt.zero_grad()  # the step itself accumulates: two batches per update's gradient
        out = run_step(*batches[i % len(batches)])
        if i == p["eval_step"]:
            model.train()
        values = out if isinstance(out, tuple) else (out,)
        returned.append([_bits(v.array) for v in values])
    return returned, _state(model, opt), run_step


def check(seed: int) -> dict:
    """Run program ``seed`` both ways; raise Mismatch naming the first difference."""
    p = draw(seed)
    eager_values, eager_state, _ = run(p, compiled=False)
    values, state, step = run(p, compiled=True)
    if step.stats["replays"] == 0:
        raise Mismatch(f"{describe(p)}: nothing was replayed ({step.stats})")
    for i, (a, b) in enumerate(zip(eager_values, values, strict=True)):
        if a != b:
            raise Mismatch(f"{describe(p)}: step {i} returned other values")
    for name, bits in eager_state.items():
        if state.get(name) != bits:
            raise Mismatch(f"{describe(p)}: {name} differs at the end")
    return p


def _bits(a) -> tuple:
    a = np.asarray(a)
    return a.dtype.str, a.shape, a.tobytes()


def _state(model, opt) -> dict:
    state = {}
    for name, t in model.state_dict().items():
        state[name] = _bits(t.array if hasattr(t, "array") else t)
    for name, prm in model.named_parameters():
        state[name + ".grad"] = None if prm.grad is None else _bits(prm.grad.array)
    for i, s in opt.state_dict()["state"].items():
        for key, value in s.items():
            state[f"optimizer {i} {key}"] = _bits(value)
    state["param_groups"] = repr(opt.state_dict()["param_groups"])
    return state
