"""The cubic fit with torch.nn and torch.optim ("Learning PyTorch with Examples": PyTorch: nn,
optim, custom nn Modules): Sequential + RMSprop, then a custom Module + SGD with momentum.
Starting weights are set with copy_/fill_ instead of the default random initialisation.
RMSprop runs 80 steps, not the tutorial's 2000: later its steps oscillate and amplify the
last-digit differences of any two summation orders (PyTorch's own CPU and GPU results part
there too), which would test chaos, not the library."""

import math

import torch

torch.set_default_dtype(torch.float64)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.1, -0.05, 0.02]]))
    model[0].bias.fill_(0.3)

loss_fn = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
sequential_losses = []
for t in range(80):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 10 == 9:
        sequential_losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
      f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(0.1))
        self.b = torch.nn.Parameter(torch.tensor(-0.3))
        self.c = torch.nn.Parameter(torch.tensor(0.05))
        self.d = torch.nn.Parameter(torch.tensor(0.2))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return (f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + '
                f'{self.d.item()} x^3')


module = Polynomial3()
criterion = torch.nn.MSELoss(reduction='sum')
sgd = torch.optim.SGD(module.parameters(), lr=1e-6, momentum=0.9)
module_losses = []
for t in range(300):
    y_pred = module(x)
    loss = criterion(y_pred, y)
    if t % 50 == 49:
        module_losses.append(loss.item())
    sgd.zero_grad()
    loss.backward()
    sgd.step()

print(f'Result: {module.string()}')
results = {"sequential losses": sequential_losses, "sequential weights": model.state_dict(),
           "module losses": module_losses, "module weights": module.state_dict()}
