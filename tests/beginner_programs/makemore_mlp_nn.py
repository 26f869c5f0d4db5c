"""The makemore character MLP written with torch.nn (makemore part 3 style): Embedding,
Linear without bias, BatchNorm1d, Tanh and LayerNorm in a ModuleList, SGD with gradient
clipping, then eval mode (running statistics) for the loss on held-out names and greedy
sampling. Weights are set from a formula instead of the course's random draws."""


import torch
import torch.nn as nn
import torch.nn.functional as F

words = ("liam noah oliver james elijah william henry lucas benjamin theodore mateo levi "
         "sebastian daniel jack michael alexander owen asher samuel ethan leo jackson mason "
         "ezra john hudson luca aiden joseph david jacob").split()
vocab = ['.', *sorted(set(''.join(words)))]
stoi = {ch: i for i, ch in enumerate(vocab)}
itos = dict(enumerate(vocab))
vocab_size = len(vocab)
block_size = 3


def build_dataset(names):
    X, Y = [], []
    for name in names:
        context = [0] * block_size
        for ch in name + '.':
            X.append(context)
            Y.append(stoi[ch])
            context = [*context[1:], stoi[ch]]
    return torch.tensor(X), torch.tensor(Y)


Xtr, Ytr = build_dataset(words[:28])
Xdev, Ydev = build_dataset(words[28:])

torch.set_default_dtype(torch.float64)


class MLP(nn.Module):
    def __init__(self, n_embd=8, n_hidden=32):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, n_embd)
        self.layers = nn.ModuleList([
            nn.Linear(n_embd * block_size, n_hidden, bias=False), nn.BatchNorm1d(n_hidden),
            nn.Tanh(),
            nn.Linear(n_hidden, n_hidden, bias=False), nn.LayerNorm(n_hidden), nn.Tanh(),
        ])
        self.head = nn.Linear(n_hidden, vocab_size)

    def forward(self, idx):
        x = self.emb(idx).view(idx.shape[0], -1)
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


model = MLP()
with torch.no_grad():
    for i, (name, p) in enumerate(model.named_parameters()):
        values = torch.sin(torch.arange(p.nelement(), dtype=torch.float64) * 1.618 + i)
        if p.dim() == 2:
            fan_in = p.shape[1] if name != "emb.weight" else 1
            p.copy_(values.view(p.shape) / fan_in ** 0.5)
        elif name.endswith("bias"):
            p.copy_(0.1 * values)
print(sum(p.nelement() for p in model.parameters()))

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
losses, norms = [], []
for step in range(25):
    ix = (torch.arange(32) * 7 + step * 5) % Xtr.shape[0]
    logits = model(Xtr[ix])
    loss = F.cross_entropy(logits, Ytr[ix])
    optimizer.zero_grad()
    loss.backward()
    norms.append(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0))
    nn.utils.clip_grad_value_(model.parameters(), clip_value=0.05)
    optimizer.step()
    losses.append(loss.item())

model.eval()
with torch.no_grad():
    dev_loss = F.cross_entropy(model(Xdev), Ydev).item()
    samples = []
    for _ in range(3):
        out, context = [], [0] * block_size
        for _ in range(12):
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            ix = torch.argmax(probs, dim=1).item()
            context = [*context[1:], ix]
            if ix == 0:
                break
            out.append(itos[ix])
        samples.append(''.join(out))
        context = [stoi[samples[-1][0]] if samples[-1] else 1] * block_size
print(samples, dev_loss)

results = {"losses": losses, "norms": norms, "dev loss": dev_loss, "samples": samples,
           "running mean": model.layers[1].running_mean, "running var": model.layers[1].running_var,
           "batches tracked": model.layers[1].num_batches_tracked, "state": model.state_dict()}
