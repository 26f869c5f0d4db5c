"""From a dataset's task to the head (output width, activation, loss, metrics), and the loss /
optimizer registries the CLI and lab share."""

import numpy
import pytest

import backproplab as bp
from backproplab import data, nn, optim
from backproplab.train import LOSSES, OPTIMIZERS, make_loss, make_optimizer
from backproplab.train.names import DEFAULT_LR, check_lr
from backproplab.train.task import head_for, mlp_spec, probabilities


def _info(task, n_features=2, n_outputs=1, name="d"):
    return data.DatasetInfo(name, task, n_features, n_outputs)


@pytest.mark.parametrize(("task", "outputs", "loss", "activation", "metrics"), [
    ("binary", 1, "bce_with_logits", None, ("accuracy",)),
    ("multiclass", 3, "cross_entropy", None, ("accuracy",)),
    ("regression", 1, "mse", None, ("mae", "r2")),
    ("autoencoder", 2, "mse", "sigmoid", ()),
])
def test_default_head_per_task(task, outputs, loss, activation, metrics):
    head = head_for(_info(task, n_outputs=outputs))
    assert (head.loss, head.output_activation, head.n_outputs, head.metrics) == (
        loss, activation, outputs, metrics)


@pytest.mark.parametrize(("task", "loss", "activation"), [
    ("binary", "bce", "sigmoid"), ("binary", "mse", "sigmoid"),
    ("multiclass", "nll", "log_softmax"), ("regression", "huber", None),
])
def test_chosen_loss_sets_the_output_activation(task, loss, activation):
    assert head_for(_info(task), loss).output_activation == activation


def test_loss_that_does_not_fit_the_task_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="loss 'cross_entropy' does not fit the binary dataset "
                                         "'moons'; use one of: bce, bce_with_logits, mse"):
        head_for(_info("binary", name="moons"), "cross_entropy")


def test_mlp_spec_runs_from_inputs_through_hidden_to_head():
    info = _info("multiclass", n_features=4, n_outputs=3)
    head = head_for(info, "nll")
    spec = mlp_spec(info, [8, 5], "relu", head)
    assert spec == {"layers": [4, 8, 5, 3], "activation": "relu",
                    "output_activation": "log_softmax"}
    assert nn.from_spec(spec)(bp.zeros(2, 4)).shape == (2, 3)


def test_probabilities_apply_sigmoid_to_a_binary_logit_head():
    info = _info("binary")
    head = head_for(info)
    model = nn.from_spec(mlp_spec(info, [3], "tanh", head))
    x = numpy.random.default_rng(0).normal(size=(6, 2)).astype(numpy.float32)
    with bp.no_grad():
        logits = model(bp.from_numpy(x)).array
    numpy.testing.assert_allclose(probabilities(model, x, head), 1 / (1 + numpy.exp(-logits)),
                                  rtol=1e-6)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll"])
def test_probabilities_of_a_multiclass_head_are_the_softmax(loss):
    info = _info("multiclass", n_outputs=3)
    head = head_for(info, loss)
    bp.manual_seed(0)
    model = nn.from_spec(mlp_spec(info, [4], "tanh", head))
    x = numpy.random.default_rng(1).normal(size=(5, 2)).astype(numpy.float32)
    with bp.no_grad():
        raw = model(bp.from_numpy(x)).array
    p = probabilities(model, x, head)
    numpy.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    expected = numpy.exp(raw - raw.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    numpy.testing.assert_allclose(p, expected if loss == "cross_entropy" else numpy.exp(raw),
                                  rtol=1e-5)


def test_probabilities_of_a_regression_head_are_the_outputs():
    info = _info("regression", n_features=1)
    head = head_for(info)
    model = nn.from_spec(mlp_spec(info, [], "tanh", head))
    x = numpy.array([[0.0], [2.0]], dtype=numpy.float32)
    w, b = model[0].weight.array[0, 0], model[0].bias.array[0]
    numpy.testing.assert_allclose(probabilities(model, x, head)[:, 0], x[:, 0] * w + b, rtol=1e-6)


def test_every_loss_name_builds_a_loss_module():
    for name in LOSSES:
        assert callable(make_loss(name))
    loss = nn.MSELoss()
    assert make_loss(loss) is loss


def test_unknown_loss_and_optimizer_list_the_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid names: bce, "):
        make_loss("hinge")
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'; valid names: adagrad, "):
        make_optimizer("lbfgs", nn.Linear(2, 1).parameters())


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_names_use_their_default_learning_rate(name):
    opt = make_optimizer(name, nn.Linear(2, 1).parameters())
    assert opt.param_groups[0]["lr"] == DEFAULT_LR[name]
    assert make_optimizer(name, nn.Linear(2, 1).parameters(), lr=0.003).param_groups[0][
        "lr"] == 0.003


def test_momentum_and_nesterov_names_configure_sgd():
    group = make_optimizer("nesterov", nn.Linear(2, 1).parameters()).param_groups[0]
    assert group["momentum"] == 0.9 and group["nesterov"] is True


def test_lr_with_an_optimizer_object_is_refused():
    opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    assert make_optimizer(opt, None) is opt
    with pytest.raises(ValueError, match="only together with an optimizer name"):
        make_optimizer(opt, None, lr=0.5)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1", None])
def test_learning_rate_must_be_finite_and_positive(lr):
    with pytest.raises(ValueError, match="finite positive number"):
        check_lr(lr)
