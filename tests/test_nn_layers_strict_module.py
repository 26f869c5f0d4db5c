"""The layers of issue 12 (Embedding, BatchNorm1d, LayerNorm, one_hot, gradient clipping) on
the CuPy stand-in that refuses implicit NumPy conversion: training gives NumPy's numbers step
for step, so these layers keep the GPU claim true."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from tests import strict_array_module


class CharModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(7, 4, padding_idx=0)
        self.layers = nn.ModuleList([nn.Linear(8, 6), nn.BatchNorm1d(6), nn.Tanh(),
                                     nn.Linear(6, 6), nn.LayerNorm(6)])
        self.head = nn.ModuleDict({"out": nn.Linear(6, 7)})

    def forward(self, ix):
        x = self.emb(ix).reshape(ix.shape[0], -1)
        for layer in self.layers:
            x = layer(x)
        return self.head["out"](x)


def _train():
    bp.manual_seed(0)
    model = CharModel()
    ix = bp.randint(0, 7, (10, 2))
    y = bp.randint(0, 7, (10,))
    opt = bp.optim.Adam(model.parameters(), lr=0.05)
    losses, norms = [], []
    for _ in range(3):
        opt.zero_grad()
        logits = model(ix)
        target = nn.functional.one_hot(y, 7).to(logits.dtype)
        loss = nn.functional.cross_entropy(logits, y) + 0.1 * ((logits - target) ** 2).mean()
        loss.backward()
        norms.append(nn.utils.clip_grad_norm_(model.parameters(), 0.5).item())
        nn.utils.clip_grad_value_(model.parameters(), 0.01)
        opt.step()
        losses.append(loss.item())
    kinds = {type(t.array).__name__ for t in model.state_dict().values()}
    model.eval()
    eval_out = model(ix).detach().cpu().numpy()
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    return losses, norms, eval_out, state, kinds


@pytest.fixture
def strict():
    yield strict_array_module.module
    bp.set_array_module(numpy)


def test_layers_train_on_the_strict_module_as_on_numpy(strict):
    expected = _train()
    bp.set_array_module(strict)
    got = _train()
    assert got[0] == expected[0] and got[1] == expected[1]
    numpy.testing.assert_array_equal(got[2], expected[2])
    for k, v in expected[3].items():
        numpy.testing.assert_array_equal(got[3][k], v, err_msg=k)
    assert int(expected[3]["layers.1.num_batches_tracked"]) == 3
    assert expected[4] == {"ndarray"} and got[4] == {"StrictArray"}


def test_layers_accept_device_as_torch_layers_do():
    layers = [nn.Linear(2, 2, device="cpu"), nn.Embedding(3, 2, device=bp.device("cpu")),
              nn.BatchNorm1d(2, device="cpu"), nn.LayerNorm(2, device="cpu")]
    assert all(t.device == "cpu" for layer in layers for t in layer.state_dict().values())
