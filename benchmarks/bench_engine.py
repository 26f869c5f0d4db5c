"""Engine speed: backproplab vs raw NumPy vs PyTorch CPU, in one run.
PyTorch is timed at 2 threads and at 1 and the faster counts (see timing.torch_seconds).

Measures the per-op overhead of a small elementwise op and a small matmul (forward only and
forward+backward), and a forward+backward pass of a 3-layer MLP (2-16-16-1, tanh, MSE) on a
32×2 batch. Prints ratios. Targets (issue "Engine"): MLP forward+backward at most half of
PyTorch's time; engine overhead over raw NumPy under 3 µs per op.

Run: python benchmarks/bench_engine.py
"""

import numpy as np

import backproplab as bp
from backproplab.nn import functional as F
from timing import per_call_seconds, table, torch_or_none, torch_seconds


def _mlp_weights(rng):
    shapes = [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)]
    return [rng.standard_normal(s).astype(np.float32) * 0.5 for s in shapes]


def numpy_mlp_step(x, y, w):
    """Hand-written forward and backward of the same MLP, the floor any engine aims for."""
    w1, b1, w2, b2, w3, b3 = w
    h1 = np.tanh(x @ w1.T + b1)
    h2 = np.tanh(h1 @ w2.T + b2)
    out = h2 @ w3.T + b3
    d = out - y
    loss = (d * d).mean()
    g = 2 * d / d.size
    gw3, gb3 = g.T @ h2, g.sum(0)
    g = (g @ w3) * (1 - h2 * h2)
    gw2, gb2 = g.T @ h1, g.sum(0)
    g = (g @ w2) * (1 - h1 * h1)
    gw1, gb1 = g.T @ x, g.sum(0)
    return loss, (gw1, gb1, gw2, gb2, gw3, gb3)


def bp_mlp_step(x, y, params):
    w1, b1, w2, b2, w3, b3 = params
    for p in params:
        p.grad = None
    h = F.tanh(F.linear(x, w1, b1))
    h = F.tanh(F.linear(h, w2, b2))
    loss = F.mse_loss(F.linear(h, w3, b3), y)
    loss.backward()
    return loss


def torch_mlp_step(torch, x, y, params):
    w1, b1, w2, b2, w3, b3 = params
    for p in params:
        p.grad = None
    tf = torch.nn.functional
    h = torch.tanh(tf.linear(x, w1, b1))
    h = torch.tanh(tf.linear(h, w2, b2))
    loss = tf.mse_loss(tf.linear(h, w3, b3), y)
    loss.backward()
    return loss


def main() -> None:
    torch = torch_or_none()
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((8, 8)).astype(np.float32)
    b_np = rng.standard_normal((8, 8)).astype(np.float32)
    a = bp.tensor(a_np, requires_grad=True)
    b = bp.tensor(b_np, requires_grad=True)
    a_const = bp.tensor(a_np)

    results = {}
    results["add fwd"] = {
        "numpy": per_call_seconds(lambda: a_np + b_np),
        "backproplab": per_call_seconds(lambda: a_const + b_np),
    }
    results["matmul fwd"] = {
        "numpy": per_call_seconds(lambda: a_np @ b_np),
        "backproplab": per_call_seconds(lambda: a_const @ b_np),
    }

    def bp_mul_fwd_bwd():
        a.grad = b.grad = None
        (a * b).sum().backward()

    def np_mul_fwd_bwd():
        out = a_np * b_np
        out.sum()
        g = np.ones_like(out)
        return g * b_np, g * a_np

    results["mul+sum fwd+bwd"] = {
        "numpy": per_call_seconds(np_mul_fwd_bwd),
        "backproplab": per_call_seconds(bp_mul_fwd_bwd),
    }

    x_np = rng.standard_normal((32, 2)).astype(np.float32)
    y_np = rng.standard_normal((32, 1)).astype(np.float32)
    w_np = _mlp_weights(rng)
    params = [bp.tensor(w, requires_grad=True) for w in w_np]
    x, y = bp.tensor(x_np), bp.tensor(y_np)
    results["MLP 2-16-16-1 fwd+bwd"] = {
        "numpy": per_call_seconds(lambda: numpy_mlp_step(x_np, y_np, w_np)),
        "backproplab": per_call_seconds(lambda: bp_mlp_step(x, y, params)),
    }

    if torch is not None:
        ta = torch.tensor(a_np, requires_grad=True)
        tb = torch.tensor(b_np, requires_grad=True)
        ta_const = torch.tensor(a_np)
        tb_const = torch.tensor(b_np)
        results["add fwd"]["torch"] = torch_seconds(torch, lambda: ta_const + tb_const)
        results["matmul fwd"]["torch"] = torch_seconds(torch, lambda: ta_const @ tb_const)

        def torch_mul_fwd_bwd():
            ta.grad = tb.grad = None
            (ta * tb).sum().backward()

        results["mul+sum fwd+bwd"]["torch"] = torch_seconds(torch, torch_mul_fwd_bwd)
        tparams = [torch.tensor(w, requires_grad=True) for w in w_np]
        tx, ty = torch.tensor(x_np), torch.tensor(y_np)
        results["MLP 2-16-16-1 fwd+bwd"]["torch"] = torch_seconds(
            torch, lambda: torch_mlp_step(torch, tx, ty, tparams))

    rows = [["case", "bp / numpy", "bp / torch", "bp overhead over numpy"]]
    for name, r in results.items():
        over = (r["backproplab"] - r["numpy"]) * 1e6
        per_op = " (per op)" if name.endswith("fwd") else ""
        rows.append([
            name,
            f"{r['backproplab'] / r['numpy']:.2f}x",
            f"{r['backproplab'] / r['torch']:.2f}x" if "torch" in r else "n/a",
            f"{over:.2f} µs{per_op}",
        ])
    print(table(rows))
    if torch is None:
        print("(PyTorch not installed: torch columns skipped)")
    mlp = results["MLP 2-16-16-1 fwd+bwd"]
    if "torch" in mlp:
        verdict = "meets" if mlp["backproplab"] <= 0.5 * mlp["torch"] else "misses"
        print(f"MLP target (<= 0.5x PyTorch): {verdict} "
              f"({mlp['backproplab'] / mlp['torch']:.2f}x)")
    worst = max(results["add fwd"]["backproplab"] - results["add fwd"]["numpy"],
                results["matmul fwd"]["backproplab"] - results["matmul fwd"]["numpy"]) * 1e6
    verdict = "meets" if worst < 3.0 else "misses"
    print(f"per-op overhead target (< 3 µs over NumPy): {verdict} ({worst:.2f} µs)")


if __name__ == "__main__":
    main()
