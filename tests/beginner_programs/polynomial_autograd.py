"""The same cubic fit with autograd ("Learning PyTorch with Examples": PyTorch: Tensors and
autograd): requires_grad, loss.backward(), updates under torch.no_grad()."""

import math

import torch

dtype = torch.float64
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.tensor(0.1, device=device, dtype=dtype, requires_grad=True)
b = torch.tensor(-0.3, device=device, dtype=dtype, requires_grad=True)
c = torch.tensor(0.05, device=device, dtype=dtype, requires_grad=True)
d = torch.tensor(0.2, device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
losses = []
grads = []
for t in range(400):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        losses.append(loss.item())
    loss.backward()
    if t == 0:
        grads = [a.grad.clone(), b.grad.clone(), c.grad.clone(), d.grad.clone()]

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
results = {"losses": losses, "first grads": grads, "a": a, "b": b, "c": c, "d": d}
