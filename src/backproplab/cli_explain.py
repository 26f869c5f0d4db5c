"""``backproplab explain``: one training step explained with real numbers, in the terminal.

On a saved model (``bp.save`` / safetensors), a JSON network spec, or — with no model — a small
2-2-1 sigmoid network on one XOR sample, so the command teaches something straight away.
``--weight`` follows one weight through every path, ``--gradcheck`` sets analytic gradients
next to finite differences, ``--health`` reports per-layer gradient health, ``--demo vanishing``
compares a deep sigmoid network with a deep ReLU one, ``--graph FILE`` writes the computation
graph (.dot, .json, or .svg/.png through Graphviz). ``--descend FUNCTION`` runs gradient descent
on a textbook function instead and reports each path's regime; ``--plot FILE.png`` draws it.
"""

import json
import sys

import numpy

import backproplab as bp
from backproplab.train.names import LOSSES, OPTIMIZERS, make_loss, make_optimizer

_XOR_SPEC = {"layers": [2, 2, 1], "activation": "sigmoid", "output_activation": "sigmoid",
             "dtype": "float64",
             "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
             "biases": [[0.35, 0.35], [0.60]]}
_FORMATS = ("text", "json", "markdown", "html")
_TRACE_LR = 0.5
# --descend: each function with its start, the plain-SGD learning rates that show its regimes
# (compared when no --lr is given), and the one learning rate used to compare optimizers.
_DESCENT = {
    "square": {"label": "f(x) = x²", "start": 3.0, "lrs": (0.01, 0.1, 1.1), "lr": 0.1},
    "narrow_valley": {"label": "f(x, y) = x² + 25y²", "start": [-2.5, 1.0],
                      "lrs": (0.005, 0.039, 0.041), "lr": 0.02},
    "rosenbrock": {"label": "f(x, y) = (1 - x)² + 100(y - x²)²", "start": [-1.5, 2.0],
                   "lrs": (1e-4, 2e-3, 3e-3), "lr": 1e-3},
}


def add_explain_command(sub) -> None:
    p = sub.add_parser("explain", help="explain one training step with real numbers")
    p.add_argument("model", nargs="?", help="a saved model (.safetensors) or a JSON network "
                   "spec; default: a 2-2-1 sigmoid network on XOR")
    p.add_argument("--input", help="one sample '0,1' or a batch as JSON '[[0,1],[1,1]]'")
    p.add_argument("--target", help="its target(s), same forms (class indices for "
                   "cross_entropy)")
    p.add_argument("--loss", default="mse", choices=sorted(LOSSES))
    p.add_argument("--optimizer", action="append", choices=sorted(OPTIMIZERS),
                   help="default sgd; with --descend, repeat it to compare optimizers")
    p.add_argument("--lr", type=float, action="append",
                   help=f"learning rate (default {_TRACE_LR}, or per function with --descend); "
                   "with --descend, repeat it to compare learning rates, or give one per "
                   "--optimizer")
    p.add_argument("--format", default="text", choices=_FORMATS)
    p.add_argument("--digits", type=int, default=9, help="significant digits (default 9)")
    p.add_argument("--weight", metavar="NAME[i,j]", help="the chain of factors for one weight, "
                   "e.g. '2.weight[0, 1]'")
    p.add_argument("--gradcheck", action="store_true",
                   help="analytic gradients next to finite differences")
    p.add_argument("--health", action="store_true", help="per-layer gradient health")
    p.add_argument("--demo", choices=["vanishing"], help="a ready demonstration")
    p.add_argument("--graph", metavar="FILE", help="write the computation graph (.dot, .json, "
                   ".svg or .png)")
    p.add_argument("--descend", choices=sorted(_DESCENT),
                   help="gradient descent on a textbook function, each path's regime as text")
    p.add_argument("--steps", type=int, default=50, help="--descend steps (default 50)")
    p.add_argument("--start", help="--descend start, written --start=3 or --start=-2.5,1 "
                   "(default per function)")
    p.add_argument("--plot", metavar="FILE.png", help="with --descend: draw the paths")
    p.set_defaults(run=run_explain)


def _numbers(text: str):
    text = text.strip()
    if text.startswith("["):
        return json.loads(text)
    return [float(v) for v in text.split(",") if v.strip()]


def _model(path: str | None):
    if path is None:
        return bp.nn.from_spec(_XOR_SPEC)
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            return bp.nn.from_spec(json.load(f))
    model = bp.load(path)
    if not isinstance(model, bp.nn.Module):
        raise ValueError(f"{path} holds weights only (a state_dict or checkpoint), not a model "
                         "with its architecture; save a Sequential MLP or an Autoencoder with "
                         "bp.save(model, path), or give a JSON network spec")
    return model


def _emit(args, data: dict, text: str) -> None:
    if args.format == "json":
        print(json.dumps(data, allow_nan=False, ensure_ascii=False, indent=1))
    else:
        print(text)


def run_explain(args) -> int:
    try:
        return _run(args)
    except (OSError, ValueError, RuntimeError, TypeError) as e:
        print(f"backproplab explain: {e}", file=sys.stderr)
        return 2


def _one(values: list | None, default, flag: str):
    if not values:
        return default
    if len(values) > 1:
        raise ValueError(f"give one {flag} here; several are for comparing --descend paths")
    return values[0]


def _run(args) -> int:
    if args.plot and not args.descend:
        raise ValueError("--plot draws --descend paths; add --descend FUNCTION")
    if args.descend:
        return _descend(args)
    lr = _one(args.lr, _TRACE_LR, "--lr")
    optimizer_name = _one(args.optimizer, "sgd", "--optimizer")
    if args.demo == "vanishing":
        reports = bp.explain.vanishing_gradient_demo()
        _emit(args, {k: v.to_dict() for k, v in reports.items()},
              "\n\n".join(f"Deep {k} network\n{v.summary()}" for k, v in reports.items()))
        return 0
    model = _model(args.model)
    x = _numbers(args.input) if args.input else [0.0, 1.0]
    target = _numbers(args.target) if args.target else [1.0]
    if args.loss in ("cross_entropy", "nll"):
        target = [int(t) for t in (target if isinstance(target, list) else [target])]
    loss_fn = make_loss(args.loss)
    if args.weight:
        path = bp.explain.weight_path(model, x, target, loss_fn, args.weight)
        _emit(args, path.to_dict(), path.formula(args.digits) if args.format == "markdown"
              else path.sentence(args.digits))
    elif args.gradcheck:
        check = bp.explain.gradient_check(model, x, target, loss_fn)
        lines = [f"{'parameter':<18} {'analytic':>16} {'numeric':>16} {'rel. error':>11}"]
        lines += [f"{r.name:<18} {r.analytic:>16.9g} {r.numeric:>16.9g} "
                  f"{r.relative_error:>11.2e}" for r in check.rows]
        lines.append(f"largest relative error {check.max_relative_error:.2e}: "
                     + ("gradients agree" if check.ok else "GRADIENTS DISAGREE"))
        _emit(args, check.to_dict(), "\n".join(lines))
    elif args.health:
        health = bp.explain.gradient_health(model, x, target, loss_fn, lr)
        _emit(args, health.to_dict(), health.summary())
    else:
        optimizer = make_optimizer(optimizer_name, model.parameters(), lr=lr)
        trace = bp.explain.trace_step(model, x, target, loss_fn, optimizer=optimizer)
        render = {"text": lambda: trace.to_text(args.digits, color=sys.stdout.isatty()),
                  "markdown": lambda: trace.to_markdown(args.digits),
                  "html": lambda: trace.to_html(args.digits), "json": lambda: ""}
        _emit(args, trace.to_dict(), render[args.format]())
    if args.graph:
        _write_graph(model, x, target, loss_fn, args.graph)
    return 0


def _descend(args) -> int:
    """One path per learning rate (one optimizer) or per optimizer, summarized and drawn."""
    entry = _DESCENT[args.descend]
    f = getattr(bp.explain, args.descend)
    start = entry["start"] if args.start is None else _numbers(args.start)
    if numpy.ndim(entry["start"]) == 0 and numpy.size(start) == 1:
        start = float(numpy.ravel(start)[0])
    if numpy.size(start) != numpy.size(entry["start"]):
        raise ValueError(f"{args.descend} starts from {numpy.size(entry['start'])} number(s)")
    if args.steps < 1:
        raise ValueError(f"--steps must be at least 1, got {args.steps}")
    if args.plot and not args.plot.endswith(".png"):
        raise ValueError(f"--plot writes a PNG; name it FILE.png, not {args.plot!r}")
    runs = _descent_runs(args.optimizer or ["sgd"], args.lr, entry)
    paths = [bp.explain.descend(f, start, lr, args.steps, name) for name, lr in runs]
    lines = [f"{entry['label']}, {args.steps} steps from {_point(start)}"]
    lines += [_summary(p, args.steps) for p in paths]
    _emit(args, {"function": args.descend, "start": start, "steps": args.steps,
                 "paths": [p.to_dict() for p in paths]}, "\n".join(lines))
    if args.plot:
        if len({name for name, _ in runs}) == 1:
            bp.explain.plot_learning_rates(f, start, [lr for _, lr in runs], args.plot,
                                           args.steps, runs[0][0])
        else:
            bp.explain.plot_optimizers(f, start, dict(runs), args.plot, args.steps)
        print(f"descent plot written to {args.plot}", file=sys.stderr)
    return 0


def _descent_runs(optimizers: list, lrs: list | None, entry: dict) -> list:
    """(optimizer, lr) pairs: one optimizer at each learning rate (default: the function's
    regime-showing trio), or several optimizers at one shared learning rate or one each."""
    if len(optimizers) == 1:
        return [(optimizers[0], lr) for lr in lrs or entry["lrs"]]
    if len(set(optimizers)) < len(optimizers):
        raise ValueError("name each --optimizer once; to compare learning rates, give one "
                         "--optimizer and several --lr")
    lrs = lrs or [entry["lr"]]
    if len(lrs) not in (1, len(optimizers)):
        raise ValueError(f"give one --lr for all {len(optimizers)} optimizers or one each, "
                         f"not {len(lrs)}")
    return list(zip(optimizers, lrs * len(optimizers) if len(lrs) == 1 else lrs, strict=True))


def _number(v) -> str:
    return "non-finite" if v is None else f"{v:.4g}"  # JSON-safe paths hold None for inf/nan


def _point(p) -> str:
    if not isinstance(p, list):
        return _number(p)
    return "(" + ", ".join(_number(v) for v in p) + ")"


def _summary(path, steps: int) -> str:
    """One line per path: optimizer, learning rate, regime, f from start to end, end point."""
    taken = len(path.points) - 1
    stop = "" if taken == steps else f" (stopped after {taken} steps)"
    return (f"{path.optimizer:>8}  lr = {path.lr:<7g} {path.regime:<11}  "
            f"f {_number(path.values[0])} → {_number(path.values[-1])}, "
            f"ends at {_point(path.points[-1])}{stop}")


def _write_graph(model, x, target, loss_fn, path: str) -> None:
    g = bp.explain.step_graph(model, x, target, loss_fn)
    if path.endswith(".json"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(g.to_json())
    elif path.endswith((".svg", ".png")):
        g.render(path, path.rsplit(".", 1)[1])
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(g.to_dot())
    print(f"computation graph written to {path}", file=sys.stderr)
