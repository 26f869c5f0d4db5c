"""Training speed: backproplab (eager and bp.compile) vs PyTorch CPU vs hand-written NumPy vs
JAX jit, in one run.

Each network is trained from the same initial weights on the same batches with plain SGD:
(a) XOR 2-4-1 full batch, (b) moons 2-16-16-1 batch 32, (c) autoencoder 64-32-8-32-64
batch 64, (d) MLP 784-512-512-10 batch 256. Prints steps/s and ratios, and peak memory of
(d) measured in a fresh subprocess per implementation (resident set size growth).
Targets (issue "Learning stack"), eager: >= 2x PyTorch's steps/s on (a) and (b), >= 1x on (c)
and (d), within 2x of hand-written NumPy on all four. Targets (issue 13, bp.compile):
compiled >= 1x JAX jit on (a) and (b), >= 1x hand-written NumPy on (c), >= 0.95x the best of
PyTorch and NumPy on (d). The compiled step is first checked to give bit for bit the eager
step's weights. JAX (the ``bench`` extra) is skipped with a note when it is not installed;
it is timed as it runs and again with all its threads on one CPU (its asynchronous dispatch
can use a second core the NumPy-based steps cannot; see one_core.py). Every implementation
reads ready-made batches (no data preparation in the timed loop); the hand-written NumPy step
computes the gradient only, not the loss value the others return.
The implementations are timed in turns, in many short batches, each keeping its fastest
(see timing.interleaved_seconds), so the ratios hold on a shared machine even though the
absolute numbers swing.

Run: python benchmarks/bench_training.py
"""

import contextlib
import itertools
import json
import os
import subprocess
import sys

import numpy as np

import one_core
from jax_step import jax_or_none, jax_stepper
from timing import interleaved_seconds, table, torch_or_none

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
        _values(lin.weight)[...] = w
        _values(lin.bias)[...] = b
    return model


def _values(t):
    """A parameter's values, written in place: ``.array`` in backproplab, ``.data`` in torch."""
    return t.array if hasattr(t, "array") else t.data


def loss_fn(nn, loss):
    return {"mse": nn.MSELoss, "bce_logits": nn.BCEWithLogitsLoss,
            "cross_entropy": nn.CrossEntropyLoss}[loss]()


def framework_stepper(lib, sizes, act, out_act, loss, weights, x, y, batch, compiled=False):
    """(step function, model) for backproplab or torch: the loop a user writes; with
    ``compiled`` the same step body goes through ``bp.compile``."""
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

    def body(xb, yb):
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    if compiled:
        body = lib.compile(body)

    def step():
        i = state["i"] % len(xs)
        state["i"] += 1
        body(xs[i], ys[i])

    step.body, step.batches = body, list(zip(xs, ys, strict=True))  # for replay_floor.py
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


def check_compiled_is_eager(bp, case, steps: int = 20) -> None:
    """bp.compile must give exactly the eager weights (the benchmark times the same math)."""
    sizes, act, out_act, loss, batch, n = case
    weights, x, y = make_case(sizes, loss, n)
    eager, m1 = framework_stepper(bp, sizes, act, out_act, loss, weights, x, y, batch)
    compiled, m2 = framework_stepper(bp, sizes, act, out_act, loss, weights, x, y, batch,
                                     compiled=True)
    for _ in range(steps):
        eager()
        compiled()
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        if not np.array_equal(p1.array, p2.array):
            raise SystemExit(f"{sizes}: bp.compile and eager weights differ after {steps} steps")


def check_jax_math(jax, case) -> float:
    """Max difference between JAX's and NumPy's weights after 5 steps (sanity)."""
    sizes, act, out_act, loss, batch, n = case
    weights, x, y = make_case(sizes, loss, n)
    step_jax, sync, get = jax_stepper(jax, sizes, act, out_act, loss, weights, x, y, batch, LR)
    step_np, w_np = numpy_stepper(sizes, act, out_act, loss, weights, x, y, batch)
    for _ in range(5):
        step_jax()
        step_np()
    sync()
    return max(float(np.abs(a - b).max()) for a, b in zip(get()[0::2], w_np[0::2], strict=True))


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
    return max(float(np.abs(lin.weight.array - w).max())
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
    else:
        import backproplab as lib
    weights, x, y = make_case(sizes, loss, n)
    if impl == "numpy":
        step, _ = numpy_stepper(*case[:4], weights, x, y, batch)
    else:
        step, _ = framework_stepper(lib, *case[:4], weights, x, y, batch,
                                    compiled=impl == "bp-compiled")
        if impl == "bp-compiled":
            for _ in range(3):  # the tape's buffers are allocated by its traces
                step()
    base = _rss_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current size (Linux)
    for _ in range(20):
        step()
    peak = _rss_kib("VmHWM")
    print(json.dumps({"peak_mib": (peak - base) / 1024}))


def _with_threads(torch, n: int, step):
    """PyTorch's step at ``n`` threads (its best of 1 and 2 is reported; see timing.py)."""
    def run():
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
        step()
    return run


def blas_limiter_or_none():
    """threadpoolctl's limiter of NumPy's BLAS threads (the ``bench`` extra), or None."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


_BLAS_THREADS = {"now": None}


def _with_blas_threads(blas, n: int, step):
    """The step with NumPy's BLAS at ``n`` threads: on the shared 2-core machine its 2-thread
    mode stalls as PyTorch's does, so both are timed at 2 and 1 and the faster counts. The
    limit is set when it changes (3 µs), not on every call."""
    def run():
        if _BLAS_THREADS["now"] != n:
            blas.limit(limits=n, user_api="blas")  # in force until the next change
            _BLAS_THREADS["now"] = n
        step()
    return run


def _verdict(ratio: float, want: float) -> str:
    return ("meets" if ratio >= want else "misses") + f" (>= {want:g}x)"


def main() -> None:
    import backproplab as bp

    torch = torch_or_none()
    jax = jax_or_none()
    blas = blas_limiter_or_none()
    jax_threads = one_core.JaxThreads() if jax is not None and one_core.available() else None
    rows = [["case", "bp steps/s", "torch steps/s", "numpy steps/s", "bp/torch", "bp/numpy",
             "torch target", "numpy target (>= 0.5x)"]]
    compiled_rows = [["case", "compiled steps/s", "jax jit steps/s", "jax 1 core",
                      "compiled/eager", "compiled/jax", "compiled/jax 1 core", "compiled/numpy",
                      "compiled/best(torch,numpy)", "issue 13 target"]]
    for name, case in CASES.items():
        sizes, _, _, loss, batch, n = case
        weights, x, y = make_case(sizes, loss, n)
        drift = check_same_math(bp, case)
        if drift > 1e-4:
            raise SystemExit(f"{name}: backproplab and NumPy disagree by {drift:g} after 5 steps")
        check_compiled_is_eager(bp, case)
        numpy_based = {
            "bp": framework_stepper(bp, *case[:4], weights, x, y, batch)[0],
            "compiled": framework_stepper(bp, *case[:4], weights, x, y, batch,
                                          compiled=True)[0],
            "numpy": numpy_stepper(*case[:4], weights, x, y, batch)[0],
        }
        fns = {}
        for key, fn in numpy_based.items():  # NumPy's BLAS, like PyTorch, at 2 threads and 1
            fns[key + "2"] = fn if blas is None else _with_blas_threads(blas, 2, fn)
            if blas is not None:
                fns[key + "1"] = _with_blas_threads(blas, 1, fn)
        if torch is not None:
            torch_step = framework_stepper(torch, *case[:4], weights, x, y, batch)[0]
            fns["torch2"] = _with_threads(torch, 2, torch_step)
            fns["torch1"] = _with_threads(torch, 1, torch_step)
        if jax is not None:
            with jax_threads or contextlib.nullcontext():  # the threads JAX starts
                drift = check_jax_math(jax, case)
                step_jax, sync, _ = jax_stepper(jax, *case[:4], weights, x, y, batch, LR)
                step_jax()
                sync()
            if drift > 1e-4:
                raise SystemExit(f"{name}: JAX and NumPy disagree by {drift:g} after 5 steps")
            fns["jax"] = (step_jax, sync)
            if jax_threads is not None:  # the same step with its caller on JAX's CPU
                fns["jax_1core"] = jax_threads.on_one_core(step_jax, sync)
        best = interleaved_seconds(fns)
        t_bp, t_c, t_np = (min(best.get(k + "2"), best.get(k + "1", float("inf")))
                           for k in ("bp", "compiled", "numpy"))
        t_torch = min(best["torch2"], best["torch1"]) if torch is not None else None
        t_jax, t_jax1 = best.get("jax"), best.get("jax_1core")
        want = 2.0 if name.startswith(("(a)", "(b)")) else 1.0
        rows.append([
            name, f"{1 / t_bp:,.0f}", "n/a" if t_torch is None else f"{1 / t_torch:,.0f}",
            f"{1 / t_np:,.0f}", "n/a" if t_torch is None else f"{t_torch / t_bp:.2f}x",
            f"{t_np / t_bp:.2f}x", "n/a" if t_torch is None else _verdict(t_torch / t_bp, want),
            "meets" if t_np / t_bp >= 0.5 else "misses",
        ])
        best = t_np if t_torch is None else min(t_np, t_torch)
        if name.startswith(("(a)", "(b)")):
            target = "n/a (no jax)" if t_jax is None else "vs jax " + _verdict(t_jax / t_c, 1.0)
            if t_jax1 is not None:
                target += ", 1 core " + _verdict(t_jax1 / t_c, 1.0).split()[0]
        elif name.startswith("(c)"):
            target = "vs numpy " + _verdict(t_np / t_c, 1.0)
        else:
            target = "vs best " + _verdict(best / t_c, 0.95)
        compiled_rows.append([
            name, f"{1 / t_c:,.0f}", "n/a" if t_jax is None else f"{1 / t_jax:,.0f}",
            "n/a" if t_jax1 is None else f"{1 / t_jax1:,.0f}", f"{t_bp / t_c:.2f}x",
            "n/a" if t_jax is None else f"{t_jax / t_c:.2f}x",
            "n/a" if t_jax1 is None else f"{t_jax1 / t_c:.2f}x",
            f"{t_np / t_c:.2f}x", f"{best / t_c:.2f}x", target,
        ])
    print(table(rows))
    print()
    print(table(compiled_rows))
    if jax is None:
        print("JAX is not installed (pip install 'backproplab[bench]'): its column is skipped")
    else:
        print("jax 1 core: the same jitted step with JAX's threads and its caller on one CPU "
              "(its asynchronous dispatch can keep a second core busy; see one_core.py)")
    if blas is None:
        print("threadpoolctl is not installed: NumPy's BLAS was timed at its default threads")
    impls = ("backproplab", "bp-compiled", "numpy") + (("torch",) if torch is not None else ())
    mem = {impl: peak_memory_mib(impl) for impl in impls}
    print("peak memory growth for (d), 20 steps: "
          + ", ".join(f"{k} {v:.1f} MiB" for k, v in mem.items()))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        _memory_child(sys.argv[2])
    else:
        main()
