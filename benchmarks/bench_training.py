"""Training speed: backproplab vs PyTorch CPU (2 threads) vs hand-written NumPy, in one run.

Each network is trained from the same initial weights on the same batches with plain SGD:
(a) XOR 2-4-1 full batch, (b) moons 2-16-16-1 batch 32, (c) autoencoder 64-32-8-32-64
batch 64, (d) MLP 784-512-512-10 batch 256. Prints steps/s and ratios, and peak memory of
(d) measured in a fresh subprocess per implementation (resident set size growth).
Targets (issue "Learning stack"): >= 2x PyTorch's steps/s on (a) and (b), >= 1x on (c) and
(d), within 2x of hand-written NumPy on all four.

Run: python benchmarks/bench_training.py
"""

import itertools
import json
import os
import subprocess
import sys

import numpy as np

from timing import per_call_seconds, table, torch_or_none, torch_seconds

# name -> (layer sizes, hidden activation, output activation, loss, batch size, samples)
CASES = {
    "(a) XOR 2-4-1 full batch": ([2, 4, 1], "tanh", "sigmoid", "mse", 4, 4),
    "(b) moons 2-16-16-1 b32": ([2, 16, 16, 1], "relu", None, "bce_logits", 32, 512),
    "(c) AE 64-32-8-32-64 b64": ([64, 32, 8, 32, 64], "relu", "sigmoid", "mse", 64, 512),
    "(d) MLP 784-512-512-10 b256": ([784, 512, 512, 10], "relu", None, "cross_entropy", 256,
                                    1024),
}
LR = 0.05


def make_case(sizes, loss, n, seed=0):
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    x = rng.standard_normal((n, sizes[0])).astype(np.float32)
    if loss == "cross_entropy":
        y = rng.integers(0, sizes[-1], n)
    elif loss == "mse" and sizes[0] == sizes[-1]:
        y = 1 / (1 + np.exp(-x))  # autoencoder: reconstruct squashed inputs
        x = y.astype(np.float32)
        y = x
    else:
        y = (rng.random((n, sizes[-1])) > 0.5).astype(np.float32)
    return weights, x, y


# ----- hand-written NumPy -------------------------------------------------------------------------
_ACT = {
    "tanh": (np.tanh, lambda out: 1 - out * out),
    "relu": (lambda z: np.maximum(z, 0), lambda out: (out > 0).astype(out.dtype)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda out: out * (1 - out)),
}


def numpy_step(weights, x, y, act, out_act, loss):
    """Forward, hand-derived backward and an SGD update of an MLP, in place."""
    hs = [x]
    n_layers = len(weights) // 2
    for i in range(n_layers):
        z = hs[-1] @ weights[2 * i].T + weights[2 * i + 1]
        name = act if i < n_layers - 1 else out_act
        hs.append(_ACT[name][0](z) if name else z)
    out = hs[-1]
    if loss == "mse":
        g = 2 * (out - y) / out.size
    elif loss == "bce_logits":
        g = (1 / (1 + np.exp(-out)) - y) / out.size
    else:
        e = np.exp(out - out.max(axis=1, keepdims=True))
        g = e / e.sum(axis=1, keepdims=True)
        g[np.arange(len(y)), y] -= 1
        g /= len(y)
    for i in reversed(range(n_layers)):
        name = act if i < n_layers - 1 else out_act
        if name:
            g = g * _ACT[name][1](hs[i + 1])
        w = weights[2 * i]
        gw, gb = g.T @ hs[i], g.sum(axis=0)
        if i:
            g = g @ w
        w -= LR * gw
        weights[2 * i + 1] -= LR * gb


# ----- backproplab and PyTorch --------------------------------------------------------------
def build(nn, sizes, act, out_act, weights):
    layers = []
    names = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(fan_in, fan_out))
        name = act if i < len(sizes) - 2 else out_act
        if name:
            layers.append(names[name]())
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for lin, w, b in zip(linears, weights[0::2], weights[1::2], strict=True):
        lin.weight.data[...] = w
        lin.bias.data[...] = b
    return model


def loss_fn(nn, loss):
    return {"mse": nn.MSELoss, "bce_logits": nn.BCEWithLogitsLoss,
            "cross_entropy": nn.CrossEntropyLoss}[loss]()


def framework_stepper(lib, sizes, act, out_act, loss, weights, x, y, batch):
    """(step function, model) for backproplab or torch: the loop a user writes."""
    is_torch = lib.__name__ == "torch"
    weights = [w.copy() for w in weights]
    if is_torch:
        model = build(lib.nn, sizes, act, out_act, [lib.from_numpy(w) for w in weights])
    else:
        model = build(lib.nn, sizes, act, out_act, weights)
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    crit = loss_fn(lib.nn, loss)
    xs = [lib.from_numpy(np.ascontiguousarray(x[i:i + batch])) for i in range(0, len(x), batch)]
    ys = [lib.from_numpy(np.ascontiguousarray(y[i:i + batch])) for i in range(0, len(y), batch)]
    state = {"i": 0}

    def step():
        i = state["i"] % len(xs)
        state["i"] += 1
        opt.zero_grad()
        out = model(xs[i])
        crit(out, ys[i]).backward()
        opt.step()

    return step, model


def numpy_stepper(sizes, act, out_act, loss, weights, x, y, batch):
    weights = [w.copy() for w in weights]
    xs = [x[i:i + batch] for i in range(0, len(x), batch)]
    ys = [y[i:i + batch] for i in range(0, len(y), batch)]
    state = {"i": 0}

    def step():
        i = state["i"] % len(xs)
        state["i"] += 1
        numpy_step(weights, xs[i], ys[i], act, out_act, loss)

    return step, weights


def check_same_math(lib, case) -> float:
    """Max difference between backproplab's and NumPy's weights after 5 steps (sanity)."""
    sizes, act, out_act, loss, batch, n = case
    weights, x, y = make_case(sizes, loss, n)
    step_bp, model = framework_stepper(lib, sizes, act, out_act, loss, weights, x, y, batch)
    step_np, w_np = numpy_stepper(sizes, act, out_act, loss, weights, x, y, batch)
    for _ in range(5):
        step_bp()
        step_np()
    linears = [m for m in model if type(m).__name__ == "Linear"]
    return max(float(np.abs(lin.weight.data - w).max())
               for lin, w in zip(linears, w_np[0::2], strict=True))


def peak_memory_mib(impl: str) -> float:
    """Peak RSS above the size after building model and data, while training case (d) for 20
    steps, in a fresh interpreter per implementation: what training itself needs (activations,
    saved tensors, gradients, temporaries, allocator slack)."""
    out = subprocess.run([sys.executable, __file__, "--memory", impl], capture_output=True,
                         text=True, check=True, cwd=os.path.dirname(os.path.abspath(__file__)))
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mib"]


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _memory_child(impl: str) -> None:
    case = CASES["(d) MLP 784-512-512-10 b256"]
    sizes, loss, batch, n = case[0], case[3], case[4], case[5]
    if impl == "torch":
        lib = torch_or_none()
    elif impl == "backproplab":
        import backproplab as lib
    weights, x, y = make_case(sizes, loss, n)
    if impl == "numpy":
        step, _ = numpy_stepper(*case[:4], weights, x, y, batch)
    else:
        step, _ = framework_stepper(lib, *case[:4], weights, x, y, batch)
    base = _rss_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current size (Linux)
    for _ in range(20):
        step()
    peak = _rss_kib("VmHWM")
    print(json.dumps({"peak_mib": (peak - base) / 1024}))


def main() -> None:
    import backproplab as bp

    torch = torch_or_none()
    rows = [["case", "bp steps/s", "torch steps/s", "numpy steps/s", "bp/torch", "bp/numpy",
             "torch target", "numpy target (>= 0.5x)"]]
    for name, case in CASES.items():
        sizes, _, _, loss, batch, n = case
        weights, x, y = make_case(sizes, loss, n)
        drift = check_same_math(bp, case)
        if drift > 1e-4:
            raise SystemExit(f"{name}: backproplab and NumPy disagree by {drift:g} after 5 steps")
        t_bp = per_call_seconds(framework_stepper(bp, *case[:4], weights, x, y, batch)[0])
        t_np = per_call_seconds(numpy_stepper(*case[:4], weights, x, y, batch)[0])
        t_torch = None
        if torch is not None:
            t_torch = torch_seconds(
                torch, framework_stepper(torch, *case[:4], weights, x, y, batch)[0])
        want = 2.0 if name.startswith(("(a)", "(b)")) else 1.0
        torch_verdict = "n/a" if t_torch is None else (
            ("meets" if t_torch / t_bp >= want else "misses") + f" (>= {want:g}x)")
        rows.append([
            name, f"{1 / t_bp:,.0f}", "n/a" if t_torch is None else f"{1 / t_torch:,.0f}",
            f"{1 / t_np:,.0f}", "n/a" if t_torch is None else f"{t_torch / t_bp:.2f}x",
            f"{t_np / t_bp:.2f}x", torch_verdict, "meets" if t_np / t_bp >= 0.5 else "misses",
        ])
    print(table(rows))
    mem = {impl: peak_memory_mib(impl) for impl in ("backproplab", "numpy")}
    if torch is not None:
        mem["torch"] = peak_memory_mib("torch")
    print("peak memory growth for (d), 20 steps: "
          + ", ".join(f"{k} {v:.1f} MiB" for k, v in mem.items()))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        _memory_child(sys.argv[2])
    else:
        main()
