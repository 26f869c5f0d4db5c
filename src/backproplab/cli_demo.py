"""``backproplab demo``: the README's first example, then XOR learned by the bare engine.

It is the smallest end-to-end proof that the engine works on this machine: one gradient by
hand, then a 2-2-1 sigmoid network trained with nothing but tensors, backward() and updates.
"""

import sys

import backproplab as bp


def add_demo_command(sub) -> None:
    p = sub.add_parser("demo", help="one gradient by hand, then XOR learned by the engine")
    p.add_argument("--epochs", type=int, default=3000)
    p.add_argument("--lr", type=float, default=2.0)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run_demo)


def run_demo(args) -> int:
    if args.epochs < 1:
        print(f"backproplab demo: error: --epochs must be a positive integer, got {args.epochs}",
              file=sys.stderr)
        return 2
    w = bp.tensor([2.0], requires_grad=True)
    x = bp.tensor([5.0])
    y = bp.tensor([12.0])
    loss = (y - w * x) ** 2
    loss.backward()
    print(f"loss = (y - w·x)² = {loss.item():g};  ∂loss/∂w = -2·x·(y - w·x) = {w.grad.item():g}")

    bp.manual_seed(args.seed)
    inputs = bp.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = bp.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = (bp.randn(2, 2) * 1.0).requires_grad_()
    b1 = bp.zeros(2, requires_grad=True)
    w2 = (bp.randn(2, 1) * 1.0).requires_grad_()
    b2 = bp.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    for epoch in range(args.epochs + 1):
        out = ((inputs @ w1 + b1).sigmoid() @ w2 + b2).sigmoid()
        loss = ((out - targets) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with bp.no_grad():
            for p in params:
                p -= args.lr * p.grad
        if epoch % max(args.epochs // 5, 1) == 0:
            print(f"epoch {epoch:5d}  mse {loss.item():.6f}")
    print("XOR predictions:", [round(v, 3) for v in out.detach().reshape(-1).tolist()])
    return 0
