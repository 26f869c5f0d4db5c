"""The update half of a step: every parameter's old value, gradient, learning rate and new value,
and the optimizer terms that make up the step.

The new values are what the real optimizer wrote (its ``step()`` runs); the terms are read back
from its state afterwards — momentum buffers, Adam's moments with their bias corrections — so
a learner sees the quantities the update rule used, not a re-derivation.
"""

import numpy

from backproplab.explain.json_numbers import number, numbers
from backproplab.explain.step_trace import ParameterUpdate, UpdateTrace

_RULES = {
    "SGD": ("p ← p - lr·g", r"p \leftarrow p - \eta\, g"),
    "SGD+momentum": ("b ← μ·b + (1 - dampening)·g;  p ← p - lr·b",
                     r"b \leftarrow \mu b + (1-\tau) g,\quad p \leftarrow p - \eta\, b"),
    "Adam": ("m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  p ← p - lr·m̂/(√v̂ + ε),  "
             "m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ)",
             r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,"
             r"\ p \leftarrow p - \eta \frac{\hat m}{\sqrt{\hat v} + \epsilon}"),
}
_RULES["AdamW"] = ("p ← p·(1 - lr·λ), then Adam: " + _RULES["Adam"][0], _RULES["Adam"][1])


def update_rule(optimizer) -> tuple[str, str]:
    """(text, LaTeX) of the optimizer's update rule."""
    name = type(optimizer).__name__
    if name == "SGD" and optimizer.param_groups[0].get("momentum"):
        name = "SGD+momentum"
    if name in _RULES:
        return _RULES[name]
    first_line = (type(optimizer).__doc__ or name).strip().splitlines()[0]
    return first_line, rf"\text{{{name}}}"


def trace_update(optimizer, named: list, old: dict, grads: dict) -> UpdateTrace:
    """After ``optimizer.step()``: ``named`` is [(name, param)], ``old`` and ``grads`` map names
    to the arrays before the step."""
    group_of = {id(p): g for g in optimizer.param_groups for p in g["params"]}
    rows = []
    for name, p in named:
        if grads.get(name) is None or id(p) not in group_of:
            continue
        group = group_of[id(p)]
        state = optimizer.state.get(p, {})
        terms = _terms(state, group)
        for idx in numpy.ndindex(*p.array.shape):
            rows.append(ParameterUpdate(
                name=f"{name}[{', '.join(map(str, idx))}]" if idx else name,
                param=name, index=list(idx), old=number(old[name][idx]),
                grad=number(grads[name][idx]), lr=float(group["lr"]),
                new=number(p.array[idx]),
                terms={k: number(v[idx]) if isinstance(v, numpy.ndarray) else v
                       for k, v in terms.items()}))
    first = optimizer.param_groups[0]
    hyper = {k: _plain(v) for k, v in first.items() if k not in ("params", "lr")}
    text, latex = update_rule(optimizer)
    return UpdateTrace(type(optimizer).__name__, float(first["lr"]), hyper, text, latex, rows)


def _terms(state: dict, group: dict) -> dict:
    """The state entries that explain one element's step; Adam's also with bias corrections."""
    terms = {k: v for k, v in state.items() if isinstance(v, numpy.ndarray)}
    if "exp_avg" in state and "betas" in group:
        t = state["step"]
        beta1, beta2 = group["betas"]
        m, v = state["exp_avg"], state.get("max_exp_avg_sq", state["exp_avg_sq"])
        terms = {"step": t, "m": m, "v": v, "m_hat": m / (1 - beta1**t),
                 "v_hat": v / (1 - beta2**t)}
    return terms


def _plain(v):
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if isinstance(v, (bool, str)) or v is None:
        return v
    if isinstance(v, numpy.ndarray):
        return numbers(v)
    return number(v) if isinstance(v, (int, float, numpy.number)) else str(v)
