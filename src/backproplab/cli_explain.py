"""``backproplab explain``: one training step explained with real numbers, in the terminal.

On a saved model (``bp.save`` / safetensors), a JSON network spec, or — with no model — a small
2-2-1 sigmoid network on one XOR sample, so the command teaches something straight away.
``--weight`` follows one weight through every path, ``--gradcheck`` sets analytic gradients
next to finite differences, ``--health`` reports per-layer gradient health, ``--demo vanishing``
compares a deep sigmoid network with a deep ReLU one, ``--graph FILE`` writes the computation
graph (.dot, .json, or .svg/.png through Graphviz).
"""

import json
import sys

import backproplab as bp
from backproplab.train.names import LOSSES, OPTIMIZERS, make_loss, make_optimizer

_XOR_SPEC = {"layers": [2, 2, 1], "activation": "sigmoid", "output_activation": "sigmoid",
             "dtype": "float64",
             "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
             "biases": [[0.35, 0.35], [0.60]]}
_FORMATS = ("text", "json", "markdown", "html")


def add_explain_command(sub) -> None:
    p = sub.add_parser("explain", help="explain one training step with real numbers")
    p.add_argument("model", nargs="?", help="a saved model (.safetensors) or a JSON network "
                   "spec; default: a 2-2-1 sigmoid network on XOR")
    p.add_argument("--input", help="one sample '0,1' or a batch as JSON '[[0,1],[1,1]]'")
    p.add_argument("--target", help="its target(s), same forms (class indices for "
                   "cross_entropy)")
    p.add_argument("--loss", default="mse", choices=sorted(LOSSES))
    p.add_argument("--optimizer", default="sgd", choices=sorted(OPTIMIZERS))
    p.add_argument("--lr", type=float, default=0.5)
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
    return bp.load(path)


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


def _run(args) -> int:
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
        health = bp.explain.gradient_health(model, x, target, loss_fn, args.lr)
        _emit(args, health.to_dict(), health.summary())
    else:
        optimizer = make_optimizer(args.optimizer, model.parameters(), lr=args.lr)
        trace = bp.explain.trace_step(model, x, target, loss_fn, optimizer=optimizer)
        render = {"text": lambda: trace.to_text(args.digits, color=sys.stdout.isatty()),
                  "markdown": lambda: trace.to_markdown(args.digits),
                  "html": lambda: trace.to_html(args.digits), "json": lambda: ""}
        _emit(args, trace.to_dict(), render[args.format]())
    if args.graph:
        _write_graph(model, x, target, loss_fn, args.graph)
    return 0


def _write_graph(model, x, target, loss_fn, path: str) -> None:
    from backproplab.explain.backward_pass import ModelSnapshot, run_backward

    with ModelSnapshot(model):
        bp_ = run_backward(model, x, target, loss_fn)
        g = bp.explain.graph(bp_.loss, dict(model.named_parameters()))
    if path.endswith(".json"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(g.to_json())
    elif path.endswith((".svg", ".png")):
        g.render(path, path.rsplit(".", 1)[1])
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(g.to_dot())
    print(f"computation graph written to {path}", file=sys.stderr)
