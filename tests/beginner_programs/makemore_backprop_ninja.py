"""A character-level MLP language model with its backward pass written by hand (makemore
part 4, "Becoming a backprop ninja"): every intermediate's gradient is derived manually and
checked against autograd, then the short forms of the cross-entropy and batch-norm backward,
then a few training steps on the manual gradients.

The course draws the weights with torch.randn(generator=g) and the batch with torch.randint;
a formula (sin of the index) and a fixed stride keep both libraries on the same numbers."""

import math

import torch
import torch.nn.functional as F

words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia",
         "harper", "evelyn", "abigail", "emily", "elizabeth", "mila", "ella", "avery",
         "sofia", "camila", "aria", "scarlett", "victoria", "madison", "luna", "grace",
         "chloe", "penelope", "layla", "riley", "zoey", "nora", "lily", "eleanor"]
chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)

block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = [*context[1:], ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    return X, Y


Xtr, Ytr = build_dataset(words)


def fixed(*shape, phase=0.0):
    n = math.prod(shape)
    return torch.sin(torch.arange(n, dtype=torch.float64) * 1.618 + phase).view(*shape)


n_embd = 10
n_hidden = 64

C = fixed(vocab_size, n_embd)
W1 = fixed(n_embd * block_size, n_hidden, phase=1.0) * (5 / 3) / ((n_embd * block_size) ** 0.5)
b1 = fixed(n_hidden, phase=2.0) * 0.1
W2 = fixed(n_hidden, vocab_size, phase=3.0) * 0.1
b2 = fixed(vocab_size, phase=4.0) * 0.1
bngain = fixed(1, n_hidden, phase=5.0) * 0.1 + 1.0
bnbias = fixed(1, n_hidden, phase=6.0) * 0.1

parameters = [C, W1, b1, W2, b2, bngain, bnbias]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

batch_size = 32
n = batch_size
ix = torch.arange(batch_size) * 7 % Xtr.shape[0]
Xb, Yb = Xtr[ix], Ytr[ix]

emb = C[Xb]
embcat = emb.view(emb.shape[0], -1)
hprebn = embcat @ W1 + b1
bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
bndiff = hprebn - bnmeani
bndiff2 = bndiff ** 2
bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)
bnvar_inv = (bnvar + 1e-5) ** -0.5
bnraw = bndiff * bnvar_inv
hpreact = bngain * bnraw + bnbias
h = torch.tanh(hpreact)
logits = h @ W2 + b2
logit_maxes = logits.max(1, keepdim=True).values
norm_logits = logits - logit_maxes
counts = norm_logits.exp()
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum ** -1
probs = counts * counts_sum_inv
logprobs = probs.log()
loss = -logprobs[range(n), Yb].mean()

for p in parameters:
    p.grad = None
for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes,
          logits, h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
          embcat, emb]:
    t.retain_grad()
loss.backward()


def cmp(s, dt, t):
    ex = torch.all(dt == t.grad).item()
    app = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    print(f'{s:15s} | exact: {ex!s:5s} | approximate: {app!s:5s} | maxdiff: {maxdiff}')
    return app


# Exercise 1: backprop through the whole thing manually
dlogprobs = torch.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0 / n
dprobs = (1.0 / probs) * dlogprobs
dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
dcounts = counts_sum_inv * dprobs
dcounts_sum = (-counts_sum ** -2) * dcounts_sum_inv
dcounts += torch.ones_like(counts) * dcounts_sum
dnorm_logits = counts * dcounts
dlogits = dnorm_logits.clone()
dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
dh = dlogits @ W2.T
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
dhpreact = (1.0 - h ** 2) * dh
dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
dbnraw = bngain * dhpreact
dbnbias = dhpreact.sum(0, keepdim=True)
dbndiff = bnvar_inv * dbnraw
dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
dbndiff += (2 * bndiff) * dbndiff2
dhprebn = dbndiff.clone()
dbnmeani = (-dbndiff).sum(0)
dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
dembcat = dhprebn @ W1.T
dW1 = embcat.T @ dhprebn
db1 = dhprebn.sum(0)
demb = dembcat.view(emb.shape)
dC = torch.zeros_like(C)
for k in range(Xb.shape[0]):
    for j in range(Xb.shape[1]):
        ix = Xb[k, j]
        dC[ix] += demb[k, j]

checks = [cmp('logprobs', dlogprobs, logprobs), cmp('probs', dprobs, probs),
          cmp('counts_sum_inv', dcounts_sum_inv, counts_sum_inv),
          cmp('counts_sum', dcounts_sum, counts_sum), cmp('counts', dcounts, counts),
          cmp('norm_logits', dnorm_logits, norm_logits),
          cmp('logit_maxes', dlogit_maxes, logit_maxes), cmp('logits', dlogits, logits),
          cmp('h', dh, h), cmp('W2', dW2, W2), cmp('b2', db2, b2),
          cmp('hpreact', dhpreact, hpreact), cmp('bngain', dbngain, bngain),
          cmp('bnbias', dbnbias, bnbias), cmp('bnraw', dbnraw, bnraw),
          cmp('bnvar_inv', dbnvar_inv, bnvar_inv), cmp('bnvar', dbnvar, bnvar),
          cmp('bndiff2', dbndiff2, bndiff2), cmp('bndiff', dbndiff, bndiff),
          cmp('bnmeani', dbnmeani, bnmeani), cmp('hprebn', dhprebn, hprebn),
          cmp('embcat', dembcat, embcat), cmp('W1', dW1, W1), cmp('b1', db1, b1),
          cmp('emb', demb, emb), cmp('C', dC, C)]

# Exercise 2: the cross-entropy backward in one step
loss_fast = F.cross_entropy(logits, Yb)
print(loss_fast.item(), 'diff:', (loss_fast - loss).item())
dlogits_fast = F.softmax(logits, 1)
dlogits_fast[range(n), Yb] -= 1
dlogits_fast /= n
checks.append(cmp('logits', dlogits_fast, logits))

# Exercise 3: the batch-norm backward in one line
dhprebn_fast = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0)
                                         - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
checks.append(cmp('hprebn', dhprebn_fast, hprebn))

# Exercise 4: train on the manual gradients
lr = 0.1
train_losses = []
with torch.no_grad():
    for step in range(8):
        ix = (torch.arange(batch_size) * 5 + step * 3) % Xtr.shape[0]
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hprebn = embcat @ W1 + b1
        bnmean = hprebn.mean(0, keepdim=True)
        bnvar = hprebn.var(0, keepdim=True, unbiased=True)
        bnvar_inv = (bnvar + 1e-5) ** -0.5
        bnraw = (hprebn - bnmean) * bnvar_inv
        hpreact = bngain * bnraw + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        train_losses.append(loss.item())

        dlogits = F.softmax(logits, 1)
        dlogits[range(n), Yb] -= 1
        dlogits /= n
        dh = dlogits @ W2.T
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        dhpreact = (1.0 - h ** 2) * dh
        dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
        dbnbias = dhpreact.sum(0, keepdim=True)
        dhprebn = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0)
                                            - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
        dembcat = dhprebn @ W1.T
        dW1 = embcat.T @ dhprebn
        db1 = dhprebn.sum(0)
        demb = dembcat.view(emb.shape)
        dC = torch.zeros_like(C)
        for k in range(Xb.shape[0]):
            for j in range(Xb.shape[1]):
                dC[Xb[k, j]] += demb[k, j]
        grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
        for p, grad in zip(parameters, grads, strict=True):
            p.data += -lr * grad

results = {"checks": checks, "loss": loss_fast, "dC": dC, "dW1": dW1, "dlogits": dlogits_fast,
           "dhprebn": dhprebn_fast, "train losses": train_losses, "C": C, "W2": W2}
