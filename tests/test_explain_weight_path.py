"""weight_path: the sum over all paths through hidden layers equals param.grad."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from tests.test_explain_trace_step import MAZUR


@pytest.mark.parametrize("name", ["0.weight[0, 1]", "0.bias[1]", "2.weight[1, 0]",
                                  "4.weight[0, 2]"])
def test_weight_path_sum_equals_grad_in_a_deep_network(name):
    model = nn.from_spec({"layers": [2, 3, 3, 2], "activation": "tanh", "dtype": "float64"})
    rng = numpy.random.default_rng(0)
    x, t = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    path = bp.explain.weight_path(model, x, t, nn.MSELoss(), name)
    assert path.total == pytest.approx(path.engine_grad, abs=1e-14)
    p = dict(model.named_parameters())[name.split("[")[0]]
    loss = nn.MSELoss()(model(bp.tensor(x)), bp.tensor(t))
    loss.backward()
    index = tuple(int(i) for i in name.split("[")[1].rstrip("]").split(","))
    assert path.total == pytest.approx(float(p.grad.array[index]), abs=1e-14)


def test_first_layer_weight_of_mazur_network_has_two_paths_with_numbers():
    path = bp.explain.weight_path(nn.from_spec(MAZUR), [0.05, 0.10], [0.01, 0.99],
                                  nn.MSELoss(), "0.weight[0, 0]")
    assert len(path.paths) == 2
    assert [f.symbol for f in path.paths[0].factors] == [
        "x1", "sigmoid'(net_h1)", "w(h1→o1)", "sigmoid'(net_o1)", "∂L/∂o1"]
    assert path.total == pytest.approx(0.000438568, abs=1e-9)
    assert "0.000438568" in path.sentence() and r"\cdot" in path.formula()


def test_unknown_weight_names_are_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"0\.weight"):
        bp.explain.weight_path(nn.from_spec(MAZUR), [0.05, 0.1], [0.01, 0.99], nn.MSELoss(),
                               "7.weight[0, 0]")
