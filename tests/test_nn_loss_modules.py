"""Loss modules: each equals its torch.nn twin (values and input gradients) for every reduction."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

RNG = numpy.random.default_rng(0)
SCORES = RNG.normal(size=(6, 4))
PROBS = 1 / (1 + numpy.exp(-SCORES))
REAL_TARGET = RNG.normal(size=(6, 4))
BINARY_TARGET = (RNG.random((6, 4)) > 0.5).astype(numpy.float64)
CLASSES = numpy.array([0, 3, 1, 1, 2, -100])
CLASS_WEIGHT = numpy.array([0.5, 2.0, 1.0, 1.5])
ELEMENT_WEIGHT = RNG.random(4)

# (our module factory, torch module factory, input, target)
CASES = {
    "mse": (lambda r: nn.MSELoss(reduction=r), lambda r: torch.nn.MSELoss(reduction=r),
            SCORES, REAL_TARGET),
    "l1": (lambda r: nn.L1Loss(reduction=r), lambda r: torch.nn.L1Loss(reduction=r),
           SCORES, REAL_TARGET),
    "huber": (lambda r: nn.HuberLoss(reduction=r, delta=0.7),
              lambda r: torch.nn.HuberLoss(reduction=r, delta=0.7), SCORES, REAL_TARGET),
    "bce": (lambda r: nn.BCELoss(weight=ELEMENT_WEIGHT, reduction=r),
            lambda r: torch.nn.BCELoss(weight=torch.tensor(ELEMENT_WEIGHT), reduction=r),
            PROBS, BINARY_TARGET),
    "bce_logits": (lambda r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=ELEMENT_WEIGHT),
                   lambda r: torch.nn.BCEWithLogitsLoss(reduction=r,
                                                        pos_weight=torch.tensor(ELEMENT_WEIGHT)),
                   SCORES, BINARY_TARGET),
    "cross_entropy": (lambda r: nn.CrossEntropyLoss(weight=CLASS_WEIGHT, reduction=r,
                                                    label_smoothing=0.1),
                      lambda r: torch.nn.CrossEntropyLoss(weight=torch.tensor(CLASS_WEIGHT),
                                                          reduction=r, label_smoothing=0.1),
                      SCORES, CLASSES),
    "nll": (lambda r: nn.NLLLoss(weight=CLASS_WEIGHT, reduction=r),
            lambda r: torch.nn.NLLLoss(weight=torch.tensor(CLASS_WEIGHT), reduction=r),
            numpy.log(numpy.exp(SCORES) / numpy.exp(SCORES).sum(1, keepdims=True)), CLASSES),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_module_matches_torch(case, reduction):
    ours_factory, torch_factory, x_np, t_np = CASES[case]
    ours = ours_factory(reduction).double()
    theirs = torch_factory(reduction)
    x = bp.tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    loss = ours(x, bp.tensor(t_np))
    tloss = theirs(tx, torch.tensor(t_np))
    numpy.testing.assert_allclose(loss.array, tloss.detach().numpy(), rtol=1e-12, atol=1e-15)
    upstream = numpy.ones_like(loss.array) if reduction == "none" else None
    loss.backward(None if upstream is None else bp.tensor(upstream))
    tloss.backward(None if upstream is None else torch.tensor(upstream))
    numpy.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cross_entropy_ignored_sample_contributes_nothing():
    targets = numpy.array([0, 3, 1, 1, 2, 0])
    targets[2] = 7
    with_ignored = nn.CrossEntropyLoss(ignore_index=7)(bp.tensor(SCORES), bp.tensor(targets))
    keep = numpy.arange(6) != 2
    without = nn.CrossEntropyLoss()(bp.tensor(SCORES[keep]), bp.tensor(targets[keep]))
    numpy.testing.assert_allclose(with_ignored.array, without.array, rtol=1e-14)


def test_unknown_reduction_is_refused_at_construction():
    with pytest.raises(ValueError, match="'mean', 'sum' or 'none'"):
        nn.MSELoss(reduction="avg")


def test_class_weight_is_a_buffer_in_the_state_dict():
    assert list(nn.CrossEntropyLoss(weight=[1.0, 2.0]).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []


def test_loss_repr_shows_a_non_default_reduction():
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"
