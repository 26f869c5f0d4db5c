"""Embedding and one_hot against PyTorch in float64: rows looked up, gradients summed into
the table for repeated tokens, padding rows frozen, bad indices refused."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.nn import functional as F

torch = pytest.importorskip("torch")


def _tables(rows, dim, padding_idx=None):
    table = numpy.random.default_rng(0).normal(size=(rows, dim))
    ours = nn.Embedding(rows, dim, padding_idx=padding_idx, _weight=bp.tensor(table))
    theirs = torch.nn.Embedding(rows, dim, padding_idx=padding_idx,
                                _weight=torch.tensor(table))
    return ours, theirs


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_lookup_and_gradient_match_torch_with_repeated_tokens(padding_idx):
    ours, theirs = _tables(6, 4, padding_idx)
    ix = numpy.array([[1, 2, 1], [5, 0, 2], [1, 1, 3]])
    upstream = numpy.random.default_rng(1).normal(size=(3, 3, 4))
    y, ty = ours(bp.tensor(ix)), theirs(torch.tensor(ix))
    numpy.testing.assert_array_equal(y.array, ty.detach().numpy())
    (y * bp.tensor(upstream)).sum().backward()
    (ty * torch.tensor(upstream)).sum().backward()
    numpy.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(),
                                  rtol=1e-12, atol=1e-12)


def test_default_table_is_standard_normal_with_zero_padding_row():
    bp.manual_seed(0)
    emb = nn.Embedding(2000, 10, padding_idx=3)
    w = emb.weight.array
    assert w.dtype == numpy.float32 and w.shape == (2000, 10)
    assert not w[3].any()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


def test_from_pretrained_freezes_by_default():
    emb = nn.Embedding.from_pretrained(bp.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not emb.weight.requires_grad
    assert emb(bp.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(bp.ones(2, 2), freeze=False).weight.requires_grad


def test_state_dict_is_interchangeable_with_torch():
    ours, _ = _tables(5, 3)
    theirs = torch.nn.Embedding(5, 3, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    numpy.testing.assert_array_equal(theirs.weight.detach().numpy(), ours.weight.array)


@pytest.mark.parametrize("bad,match", [([0, 6], "index 6 is out of range for a table of 6"),
                                       ([-1], "index -1 is out of range")])
def test_out_of_range_indices_are_refused(bad, match):
    emb, _ = _tables(6, 2)
    with pytest.raises(IndexError, match=match):
        emb(bp.tensor(bad))


def test_torch_arguments_are_accepted_or_refused_never_ignored():
    ix = bp.tensor([[1, 2]])
    assert nn.Embedding(4, 2, sparse=True)(ix).shape == (1, 2, 2)
    with pytest.raises(NotImplementedError, match="max_norm"):
        nn.Embedding(4, 2, max_norm=1.0)
    with pytest.raises(NotImplementedError, match="scale_grad_by_freq"):
        nn.Embedding(4, 2, scale_grad_by_freq=True)


def test_float_indices_are_refused():
    with pytest.raises(TypeError, match="indices must be integers"):
        _tables(6, 2)[0](bp.tensor([1.0]))


@pytest.mark.parametrize("values,num_classes", [([0, 2, 1, 2], -1), ([[1, 0], [3, 3]], 5),
                                                ([], 3), (4, 7)])
def test_one_hot_matches_torch(values, num_classes):
    ours = F.one_hot(bp.tensor(values, dtype=bp.int64), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.int64), num_classes)
    assert ours.dtype == bp.int64
    assert ours.shape == tuple(theirs.shape)
    numpy.testing.assert_array_equal(ours.array, theirs.numpy())


def test_one_hot_refuses_out_of_range_and_float_classes():
    with pytest.raises(ValueError, match=r"class values must be in \[0, 3\), got values from 0 "
                                         "to 3"):
        F.one_hot(bp.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match=r"must be in \[0, 3\)"):
        F.one_hot(bp.tensor([-1, 1]), 3)
    with pytest.raises(TypeError, match="only integer class indices"):
        F.one_hot(bp.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="empty tensor; pass num_classes"):
        F.one_hot(bp.tensor([], dtype=bp.int64))
