"""Loss functions' checks and options beyond the value/gradient cases in op_cases.py."""

import numpy
import pytest

import backproplab as bp

F = bp.nn.functional


def test_loss_with_mismatched_shapes_names_both_shapes():
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(4, 1\) and target shape \(4,\)"):
        F.mse_loss(bp.zeros(4, 1), bp.zeros(4))


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'"):
        F.l1_loss(bp.zeros(2), bp.zeros(2), reduction="average")


def test_binary_cross_entropy_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(bp.tensor([0.5, 1.5]), bp.tensor([0.0, 1.0]))


def test_cross_entropy_rejects_out_of_range_class():
    with pytest.raises(IndexError, match="cross_entropy: target 3 is out of bounds for 3 classes"):
        F.cross_entropy(bp.zeros(2, 3), bp.tensor([0, 3]))


def test_cross_entropy_of_one_sample_needs_one_class_index():
    with pytest.raises(ValueError, match=r"input shape \(3,\) needs a single class index as "
                                         r"target, got shape \(2,\)"):
        F.cross_entropy(bp.zeros(3), bp.tensor([0, 1]))


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_is_one_graph_node(label_smoothing):
    x = bp.zeros(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, bp.tensor([0, 1, 2, 0]), weight=bp.tensor([1.0, 2.0, 3.0]),
                           label_smoothing=label_smoothing)
    assert type(loss.grad_fn).__name__ == "CrossEntropy" and loss.grad_fn.parents[0] is x


def test_cross_entropy_needs_integer_targets():
    with pytest.raises(TypeError, match="class indices"):
        F.cross_entropy(bp.zeros(2, 3), bp.tensor([0.0, 1.0]))


def test_cross_entropy_of_uniform_scores_is_log_of_class_count():
    assert F.cross_entropy(bp.zeros(5, 4), bp.tensor([0, 1, 2, 3, 0])).item() == pytest.approx(
        numpy.log(4), rel=1e-6)


def test_ignored_targets_get_no_gradient_and_do_not_count_in_the_mean():
    x = bp.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=bp.float64, requires_grad=True)
    loss = F.cross_entropy(x, bp.tensor([0, -100]))
    assert loss.item() == pytest.approx(F.cross_entropy(x[:1], bp.tensor([0])).item(), rel=1e-15)
    loss.backward()
    assert x.grad[1].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_all_ignored_samples_give_nan_mean_and_zero_gradient_as_in_torch(label_smoothing):
    x = bp.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=bp.float64, requires_grad=True)
    loss = F.cross_entropy(x, bp.tensor([-100, -100]), label_smoothing=label_smoothing)
    loss.backward()
    assert numpy.isnan(loss.item())
    assert x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_ignored_sample_counts_nothing_even_with_minus_inf_scores(label_smoothing):
    x = bp.tensor([[1.0, 2.0], [-numpy.inf, 0.0]], dtype=bp.float64, requires_grad=True)
    loss = F.cross_entropy(x, bp.tensor([0, 1]), ignore_index=1, reduction="none",
                           label_smoothing=label_smoothing)
    loss.sum().backward()
    first = F.cross_entropy(x[:1], bp.tensor([0]), label_smoothing=label_smoothing).item()
    assert loss.tolist() == [pytest.approx(first, rel=1e-15), 0.0]
    assert x.grad[1].tolist() == [0.0, 0.0]


def test_losses_keep_float32():
    x = bp.tensor([[0.2, -0.4]], requires_grad=True)
    p = bp.sigmoid(x)
    for loss in (F.mse_loss(x, bp.zeros(1, 2)), F.l1_loss(x, bp.zeros(1, 2)),
                 F.huber_loss(x, bp.zeros(1, 2)), F.binary_cross_entropy(p, bp.ones(1, 2)),
                 F.binary_cross_entropy_with_logits(x, bp.ones(1, 2)),
                 F.cross_entropy(x, bp.tensor([1])), F.nll_loss(x, bp.tensor([0]))):
        assert loss.dtype == bp.float32
        loss.backward()
        assert x.grad.dtype == bp.float32


def test_integer_targets_are_accepted_for_regression_losses():
    loss = F.mse_loss(bp.tensor([1.0, 2.0]), bp.tensor([1, 4]))
    assert loss.item() == 2.0 and loss.dtype == bp.float32
