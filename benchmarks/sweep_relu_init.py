"""Which initialisation makes a deep, narrow ReLU network learn in the vanishing-gradients
lesson, seed after seed — and does the lesson's sigmoid stage still starve its first layer?

The first candidate is what the lab does (``nn.init.init_linear_for_``: Kaiming uniform, bias
0.1 before ReLUs, then ``nn.init.redraw_dead_relus_`` on the training rows). Each other one
re-draws the weights of the lesson's network (circles, SGD, batch 16, the lesson's lr unless
``--lr``) from the seed's generator, without the redraw. Then each trains through the lab's
``Session`` for the epoch budget. A seed "learns" when the accuracy readout (training
accuracy over an epoch) reaches 95%; it is "kept" when it is still there at the budget's end.
The table shows how many seeds learn and keep it, the median and slowest epoch of learning,
the median first/last layer gradient ratio of the ReLU network then, and the sigmoid stage's
worst ratio at initialisation and after 20 epochs (the lesson needs it below 1e-3).

Run: python benchmarks/sweep_relu_init.py [--seeds 24] [--epochs 300] [--width 4]
     [--depth 6] [--lr 0.3] [--only "the lab;kaiming_uniform, b0.1"]
"""

import argparse
import statistics
import time

import numpy

from backproplab import nn
from backproplab.lab.lessons import engine
from backproplab.lab.lessons.readouts import gradient_ratio
from backproplab.lab.session import Session
from backproplab.nn import init

TARGET_ACCURACY = 0.95
SIGMOID_EPOCHS = 20


def _weights(kind: str, output_gain: float):
    def draw(linear, activation, rng):
        if init.init_for(activation) != "kaiming":
            gain = init.calculate_gain(activation) if activation in ("tanh", "sigmoid") else 1.0
            gain *= output_gain if activation == "output" else 1.0
            init.xavier_uniform_(linear.weight, gain=gain, generator=rng)
        elif kind == "uniform":
            init.kaiming_uniform_(linear.weight, nonlinearity="relu", generator=rng)
        else:
            init.kaiming_normal_(linear.weight, nonlinearity="relu", generator=rng)
    return draw


def candidate(kind: str, bias: float, output_gain: float = 1.0):
    """Kaiming ``kind`` (uniform/normal, fan_in, gain √2) before ReLUs, Xavier elsewhere (the
    output layer's scaled by ``output_gain``); the biases of layers feeding a ReLU set to
    ``bias``, every other bias 0."""
    draw = _weights(kind, output_gain)

    def apply(linear, activation, rng):
        draw(linear, activation, rng)
        init.constant_(linear.bias, bias if init.init_for(activation) == "kaiming" else 0.0)
    return apply


CANDIDATES = {
    "the lab's (b0.1 + redraw_dead_relus_)": None,
    "kaiming_uniform, b0": candidate("uniform", 0.0),
    "kaiming_normal, b0": candidate("normal", 0.0),
    "kaiming_uniform, b0.01": candidate("uniform", 0.01),
    "kaiming_normal, b0.01": candidate("normal", 0.01),
    "kaiming_uniform, b0.1": candidate("uniform", 0.1),
    "kaiming_normal, b0.1": candidate("normal", 0.1),
    "kaiming_uniform, b0, output ×0.1": candidate("uniform", 0.0, 0.1),
    "kaiming_uniform, b0.1, output ×0.1": candidate("uniform", 0.1, 0.1),
    "kaiming_uniform, b0, output 0": candidate("uniform", 0.0, 0.0),
}


def session_for(stage: int, seed: int, args, apply) -> Session:
    """The lesson's stage with the sweep's network, learning rate and ``seed``, its weights
    drawn by ``apply`` (None: the lab's own initialisation)."""
    session = Session()
    engine.open_stage(session, "vanishing-gradients", stage)
    changes = {"hidden": (args.width,) * args.depth, "seed": seed}
    if args.lr is not None:
        changes["lr"] = args.lr
    session.configure(session.config.updated(changes))
    if apply is not None:
        rng = numpy.random.default_rng(seed)
        last = len(session.network.layers) - 1
        for i, (linear, act) in enumerate(session.network.layers):
            apply(linear, "output" if i == last else _name(act), rng)  # the output's act: σ
    return session


def _name(act) -> str:
    if act is None:
        return "identity"
    spec = nn.activation.activation_spec(act)
    return spec if isinstance(spec, str) else spec["name"]


def relu_run(seed: int, args, apply) -> tuple:
    """(first epoch at the target accuracy or None, gradient ratio then, accuracy at the end
    of the budget)."""
    session = session_for(1, seed, args, apply)
    first, ratio = None, None
    for epoch in range(1, args.epochs + 1):
        session.step("epoch")
        if first is None and session.log.last("accuracy") >= TARGET_ACCURACY:
            first, ratio = epoch, gradient_ratio(session, None)[0]
    return first, ratio, session.log.last("accuracy")


def sigmoid_ratios(seed: int, args, apply) -> tuple:
    session = session_for(0, seed, args, apply)
    at_start = gradient_ratio(session, None)[0]
    for _ in range(SIGMOID_EPOCHS):
        session.step("epoch")
    return at_start, gradient_ratio(session, None)[0]


def sweep(name: str, apply, args) -> dict:
    learned, ratios, failed, kept = [], [], [], 0
    for seed in range(args.seeds):
        epoch, ratio, final = relu_run(seed, args, apply)
        if epoch is None:
            failed.append(seed)
        else:
            learned.append(epoch)
            ratios.append(ratio)
            kept += final >= TARGET_ACCURACY
    sigmoid = [sigmoid_ratios(seed, args, apply) for seed in range(args.sigmoid_seeds)]
    return {"name": name, "learned": len(learned), "kept": kept,
            "slowest": max(learned, default=None),
            "median_epoch": statistics.median(learned) if learned else None,
            "ratio": statistics.median(ratios) if ratios else None, "failed": failed,
            "sigmoid_start": max(s for s, _ in sigmoid),
            "sigmoid_trained": max(t for _, t in sigmoid)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--sigmoid-seeds", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--width", type=int, default=4)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--lr", type=float, default=None, help="default: the lesson's")
    parser.add_argument("--only", default="",
                        help="names to run, separated by ; (a full name, or a part of names)")
    args = parser.parse_args()
    wanted = [w for w in args.only.split(";") if w]
    print(f"vanishing-gradients lesson, hidden {args.depth}×{args.width}, {args.seeds} seeds, "
          f"{args.epochs} epochs, lr {args.lr or 'of the lesson'}, target accuracy "
          f"{TARGET_ACCURACY:.0%}")
    print(f"{'initialisation':36} {'learn':>7} {'kept':>4} {'median ep':>9} {'slowest':>7} "
          f"{'relu ratio':>10} {'σ ratio 0':>9} {'σ ratio 20':>10}  failed seeds")
    for name, apply in CANDIDATES.items():
        if wanted and not any(w == name or (w not in CANDIDATES and w in name)
                              for w in wanted):
            continue
        start = time.perf_counter()
        r = sweep(name, apply, args)
        print(f"{r['name']:36} {r['learned']:>3}/{args.seeds:<3} {r['kept']:>4} "
              f"{r['median_epoch']!s:>9} "
              f"{r['slowest']!s:>7} {r['ratio'] or 0:>10.3g} {r['sigmoid_start']:>9.2g} "
              f"{r['sigmoid_trained']:>10.2g}  {r['failed']}  "
              f"({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
