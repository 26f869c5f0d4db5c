"""A typical first classifier: TensorDataset + DataLoader (with a collate_fn for evaluation),
a custom nn.Module moved to the device, Adam, then saving and loading the state_dict and a
{"model", "optimizer", "epoch"} checkpoint, and resuming training from it. The data is two
interleaved half circles made by formula."""

import math
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Subset, TensorDataset

torch.set_default_dtype(torch.float64)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

n = 120
t = torch.linspace(0, math.pi, n // 2)
upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
X = torch.cat([upper, lower]) + 0.1 * torch.sin(torch.arange(2 * n) * 2.3).view(n, 2)
y = torch.cat([torch.zeros(n // 2, dtype=torch.long), torch.ones(n // 2, dtype=torch.long)])

dataset = TensorDataset(X, y)
train_set = Subset(dataset, [i for i in range(n) if i % 5 != 0])
test_set = Subset(dataset, list(range(0, n, 5)))
train_loader = DataLoader(train_set, batch_size=16, shuffle=False, num_workers=1,
                          persistent_workers=True, pin_memory=True, drop_last=True)


def stack_batch(batch):
    xs, ys = zip(*batch, strict=True)
    return torch.stack(xs), torch.stack(ys)


test_loader = DataLoader(test_set, batch_size=10, collate_fn=stack_batch)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def set_weights(model):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(0.5 * torch.cos(torch.arange(p.nelement()) * 0.7 + i).view(p.shape))


def train_epoch(model, optimizer):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.size(0)
    return total / (len(train_loader) * train_loader.batch_size)


def accuracy(model):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test_loader:
            correct += (model(xb.to(device)).argmax(dim=1) == yb.to(device)).sum().item()
    return correct / len(test_set)


model = Classifier().to(device)
set_weights(model)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
epoch_losses = [train_epoch(model, optimizer) for epoch in range(4)]
print(epoch_losses, accuracy(model))

with tempfile.TemporaryDirectory() as folder:
    weights_path = os.path.join(folder, "classifier.pt")
    torch.save(model.state_dict(), weights_path)
    restored = Classifier().to(device)
    restored.load_state_dict(torch.load(weights_path, map_location=device))
    restored_accuracy = accuracy(restored)

    checkpoint_path = os.path.join(folder, "checkpoint.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": 4}, checkpoint_path)
    checkpoint = torch.load(checkpoint_path)
    resumed = Classifier().to(device)
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer = torch.optim.Adam(resumed.parameters(), lr=0.05)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])

continued = [train_epoch(model, optimizer) for epoch in range(2)]
resumed_losses = [train_epoch(resumed, resumed_optimizer) for epoch in range(2)]

results = {"epoch losses": epoch_losses, "accuracy": accuracy(model),
           "restored accuracy": restored_accuracy, "epoch": checkpoint["epoch"],
           "continued": continued, "resumed": resumed_losses, "state": model.state_dict(),
           "resumed state": resumed.state_dict()}
