"""trace_step: textbook numbers worked out by hand, and agreement with .grad on random MLPs."""

import json

import numpy
import pytest

import backproplab as bp
from backproplab import nn

MAZUR = {"layers": [2, 2, 2], "activation": "sigmoid", "output_activation": "sigmoid",
         "dtype": "float64",
         "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
         "biases": [[0.35, 0.35], [0.60, 0.60]]}


def _sigmoid(z):
    return 1 / (1 + numpy.exp(-z))


def _by_name(trace, name):
    return next(p for p in trace.to_dict()["update"]["params"] if p["name"] == name)


def test_mazur_2_2_2_example_matches_published_numbers():
    trace = bp.explain.trace_step(nn.from_spec(MAZUR), [0.05, 0.10], [0.01, 0.99],
                                  nn.MSELoss(), lr=0.5)
    d = trace.to_dict()
    assert d["loss"]["value"] == pytest.approx(0.298371109, abs=1e-9)
    assert d["layers"][0]["neurons"][0]["out"][0] == pytest.approx(0.593269992, abs=1e-9)
    assert d["layers"][1]["neurons"][0]["out"][0] == pytest.approx(0.75136507, abs=1e-8)
    assert _by_name(trace, "2.weight[0, 0]")["new"] == pytest.approx(0.35891648, abs=1e-8)
    assert _by_name(trace, "2.weight[0, 1]")["new"] == pytest.approx(0.408666186, abs=1e-9)
    assert _by_name(trace, "0.weight[0, 0]")["new"] == pytest.approx(0.149780716, abs=1e-9)
    assert d["check"]["ok"]


def test_2_2_1_sigmoid_trace_equals_hand_written_numpy_backprop():
    spec = {**MAZUR, "layers": [2, 2, 1], "weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.7, -0.5]]],
            "biases": [[0.1, -0.1], [0.2]]}
    x, t, lr = numpy.array([1.0, 0.5]), 1.0, 0.3
    w1, b1 = numpy.array(spec["weights"][0]), numpy.array(spec["biases"][0])
    w2, b2 = numpy.array(spec["weights"][1]), numpy.array(spec["biases"][1])
    h = _sigmoid(w1 @ x + b1)
    o = _sigmoid(w2 @ h + b2)
    d_o = 2 * (o - t) * o * (1 - o)  # MSE over one output, then σ'
    d_h = (w2.T @ d_o) * h * (1 - h)
    trace = bp.explain.trace_step(nn.from_spec(spec), x, [t], nn.MSELoss(), lr=lr)
    d = trace.to_dict()
    assert d["loss"]["value"] == pytest.approx(float(((o - t) ** 2)[0]), abs=1e-12)
    hidden = d["layers"][0]["neurons"]
    assert [n["delta"][0] for n in hidden] == pytest.approx(d_h, abs=1e-12)
    assert d["layers"][1]["neurons"][0]["delta"][0] == pytest.approx(d_o[0], abs=1e-12)
    assert hidden[1]["upstream"][0]["product"][0] == pytest.approx(d_o[0] * w2[0, 1], abs=1e-12)
    assert _by_name(trace, "0.weight[1, 0]")["new"] == pytest.approx(
        w1[1, 0] - lr * d_h[1] * x[0], abs=1e-12)
    assert _by_name(trace, "2.bias[0]")["new"] == pytest.approx(b2[0] - lr * d_o[0], abs=1e-12)


def test_slopes_come_from_the_activation_rule_and_text_from_the_op():
    d = bp.explain.trace_step(nn.from_spec(MAZUR), [0.05, 0.10], [0.01, 0.99],
                              nn.MSELoss()).to_dict()
    n = d["layers"][0]["neurons"][0]
    assert n["dout_dnet"][0] == pytest.approx(n["out"][0] * (1 - n["out"][0]), abs=1e-15)
    assert d["layers"][0]["derivative"] == bp.ops.activations.Sigmoid.derivative[0]
    assert d["layers"][0]["formula"] == bp.ops.activations.Sigmoid.formula


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus"]
LOSSES = {
    "mse": (nn.MSELoss, lambda rng: rng.normal(size=(3, 2))),
    "bce": (nn.BCELoss, lambda rng: rng.uniform(size=(3, 2))),
    "bce_with_logits": (nn.BCEWithLogitsLoss, lambda rng: rng.uniform(size=(3, 2))),
    "cross_entropy": (nn.CrossEntropyLoss, lambda rng: rng.integers(0, 2, 3)),
}


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_trace_gradients_equal_param_grad_for_random_mlps(activation, loss):
    rng = numpy.random.default_rng(len(activation) * 7 + len(loss))
    out_act = "sigmoid" if loss == "bce" else None
    model = nn.from_spec({"layers": [3, 4, 3, 2], "activation": activation,
                          "output_activation": out_act, "dtype": "float64"})
    cls, make_target = LOSSES[loss]
    x, target = rng.normal(size=(3, 3)), make_target(rng)
    trace = bp.explain.trace_step(model, x, target, cls(), lr=0.1)
    d = trace.to_dict()
    assert d["kind"] == "mlp" and d["check"]["ok"]
    bpx = bp.tensor(x)
    loss_value = cls()(model(bpx), bp.tensor(target))
    loss_value.backward()
    grads = {g["name"]: g["grad"] for layer in d["layers"] for n in layer["neurons"]
             for g in [*n["weight_grads"], n["bias_grad"]]}
    for name, p in model.named_parameters():
        for idx in numpy.ndindex(*p.shape):
            assert grads[f"{name}[{', '.join(map(str, idx))}]"] == pytest.approx(
                float(p.grad.array[idx]), abs=1e-12)
    shares = [s for o in d["loss"]["outputs"] for s in o["term"]]
    assert sum(shares) == pytest.approx(d["loss"]["value"], abs=1e-12)


def test_trace_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(3)
    model = nn.from_spec({"layers": [2, 3, 2], "activation": "tanh", "dtype": "float64"})
    x, t = rng.normal(size=(2, 2)), numpy.array([1, 0])
    d = bp.explain.trace_step(model, x, t, nn.CrossEntropyLoss()).to_dict()
    w1 = torch.tensor(model[0].weight.array, requires_grad=True)
    b1 = torch.tensor(model[0].bias.array, requires_grad=True)
    w2 = torch.tensor(model[2].weight.array, requires_grad=True)
    b2 = torch.tensor(model[2].bias.array, requires_grad=True)
    out = torch.tanh(torch.tensor(x) @ w1.T + b1) @ w2.T + b2
    torch.nn.functional.cross_entropy(out, torch.tensor(t)).backward()
    ours = numpy.array([[g["grad"] for g in n["weight_grads"]] for n in d["layers"][0]["neurons"]])
    numpy.testing.assert_allclose(ours, w1.grad.numpy(), atol=1e-12)


def test_explaining_leaves_model_and_grads_untouched_unless_applied():
    model = nn.from_spec(MAZUR)
    before = model[0].weight.array.copy()
    bp.explain.trace_step(model, [0.05, 0.10], [0.01, 0.99], nn.MSELoss(), lr=0.5)
    numpy.testing.assert_array_equal(model[0].weight.array, before)
    assert model[0].weight.grad is None
    bp.explain.trace_step(model, [0.05, 0.10], [0.01, 0.99], nn.MSELoss(), lr=0.5, apply=True)
    assert model[2].weight.array[0, 0] == pytest.approx(0.35891648, abs=1e-8)


def test_adam_and_momentum_terms_make_up_the_step():
    model = nn.from_spec(MAZUR)
    adam = bp.optim.Adam(model.parameters(), lr=0.01)
    row = _by_name(bp.explain.trace_step(model, [0.05, 0.1], [0.01, 0.99], nn.MSELoss(),
                                         optimizer=adam), "2.weight[0, 0]")
    t = row["terms"]
    assert t["m_hat"] == pytest.approx(row["grad"])
    assert t["v_hat"] == pytest.approx(row["grad"] ** 2)
    assert row["new"] == pytest.approx(row["old"] - 0.01 * t["m_hat"] / (t["v_hat"] ** 0.5 + 1e-8))
    assert adam.state == {}  # the explained optimizer is left as it was
    sgd = bp.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    row = _by_name(bp.explain.trace_step(model, [0.05, 0.1], [0.01, 0.99], nn.MSELoss(),
                                         optimizer=sgd), "2.weight[0, 0]")
    assert row["terms"]["momentum_buffer"] == pytest.approx(row["grad"])


def test_other_models_fall_back_to_an_op_level_graph_trace():
    model = nn.Sequential(nn.Linear(2, 3), nn.Softmax(), nn.Linear(3, 1))
    d = bp.explain.trace_step(model, [[1.0, 2.0]], [[0.5]], nn.MSELoss()).to_dict()
    assert d["kind"] == "graph" and d["layers"] == []
    ops = {n["op"] for n in d["graph"]["nodes"]}
    assert {"Softmax", "Linear"} <= ops
    softmax = next(n for n in d["graph"]["nodes"] if n["op"] == "Softmax")
    assert softmax["grad"] is not None and softmax["derivative"]
    assert {u["name"] for u in d["update"]["params"]} >= {"0.weight[0, 0]", "2.bias[0]"}


def test_graph_trace_shows_this_steps_parameter_gradients():
    model = nn.Sequential(nn.Linear(2, 3), nn.Softmax(), nn.Linear(3, 1))
    model[0].weight.grad = bp.full((3, 2), 123.0)  # a stale gradient from an earlier step
    d = bp.explain.trace_step(model, [[1.0, 2.0]], [[0.5]], nn.MSELoss()).to_dict()
    update = {u["name"]: u["grad"] for u in d["update"]["params"]}
    for node in d["graph"]["nodes"]:
        if node["kind"] != "parameter":
            continue
        expected = [g for name, g in update.items() if name.startswith(node["op"] + "[")]
        assert numpy.ravel(node["grad"]["values"]).tolist() == pytest.approx(expected, rel=1e-6)
    assert model[0].weight.grad.array.max() == 123.0  # the model itself is left as it was


def test_to_dict_is_strict_json_with_none_for_nan():
    model = nn.from_spec(MAZUR)
    d = bp.explain.trace_step(model, [[0.05, numpy.nan]], [0.01, 0.99], nn.MSELoss()).to_dict()
    json.dumps(d, allow_nan=False)
    assert d["layers"][0]["neurons"][0]["net"] == [None]
