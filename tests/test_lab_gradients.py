"""The gradient panel's numbers: last-step norms, the library's health flags on the session's
weights, the per-epoch norms in the history, and the activation-suited initialisation."""

import math

import numpy
import pytest

import backproplab as bp
from backproplab.lab.config import DATASET_PRESETS, LabConfig
from backproplab.lab.frames import FrameTracker
from backproplab.lab.gradients import initialisation, layer_norms
from backproplab.lab.session import Session


def _session(dataset="xor", **changes) -> Session:
    return Session(LabConfig(dataset=dataset, **{**DATASET_PRESETS[dataset], **changes}))


def gradients_frame(session) -> dict:
    """The gradient panel's numbers a page opening on ``session`` now gets."""
    return FrameTracker().build(session)["gradients"]


def _train(session, epochs: int) -> None:
    while session.epoch < epochs and session.diverged is None:
        session.step("epoch")


def test_norms_are_the_last_steps_gradients_as_gradient_health_measures_them():
    s = _session(hidden=(4, 3), activation="sigmoid")  # xor: one batch holds all 4 rows
    net = s.network
    before = bp.explain.gradient_health(net.model, s.points.x, net.targets(s.points.y),
                                        net.loss_fn)
    assert layer_norms(net) is None  # nothing to show before the first step
    s.step("batch")
    numpy.testing.assert_allclose(layer_norms(net), [h.grad_norm for h in before.layers],
                                  rtol=1e-5)


def test_deep_sigmoid_network_is_flagged_vanishing_with_the_ratio_on_screen():
    s = _session("moons", hidden=(4,) * 6, activation="sigmoid")
    frame = gradients_frame(s)
    assert frame["ratio"] < 1e-3
    assert frame["health"][0].startswith("vanishing gradient: layer 1 receives ")
    assert frame["health"][0].endswith(" of layer 7's gradient")
    assert frame["rows"] == 64  # the first 64 of the 140 training rows
    assert "Xavier (Glorot) uniform before sigmoid and the output" in frame["init"]


@pytest.mark.parametrize(("dataset", "seed"), [("moons", 0), ("moons", 1)])
def test_deep_relu_network_of_the_default_width_learns_with_kaiming_init(dataset, seed):
    s = _session(dataset, hidden=(4,) * 6, activation="relu", lr=0.1, seed=seed)
    assert initialisation(s.network).startswith("Kaiming (He) uniform before relu")
    _train(s, 300 if dataset == "xor" else 60)
    assert s.log.last("accuracy") >= 0.95
    assert gradients_frame(s)["ratio"] > 1e-2


def test_deep_relu_network_of_the_default_width_learns_xor_for_most_seeds():
    learned = 0
    for seed in range(12):
        s = _session("xor", hidden=(4,) * 6, activation="relu", lr=0.1, seed=seed)
        _train(s, 300)
        learned += s.log.last("accuracy") >= 0.95
    assert learned >= 10  # Kaiming with bias 0 and no redraw: 8 of these 12


def test_deep_relu_with_the_old_default_init_dies_where_kaiming_learns(monkeypatch):
    """The fix is the initialisation: PyTorch's Linear default (bound 1/√fan_in) on the same
    seeds, without the redraw of dead units, leaves the 6-deep ReLU network at chance."""
    monkeypatch.setattr(bp.nn.init, "init_linear_for_",
                        lambda linear, activation, generator=None:
                        linear.reset_parameters(generator))
    monkeypatch.setattr(bp.nn.init, "redraw_dead_relus_", lambda *args: [])
    s = _session("moons", hidden=(4,) * 6, activation="relu", lr=0.1, seed=0)
    _train(s, 60)
    assert s.log.last("accuracy") < 0.6


def test_dead_units_are_named_with_their_count_and_layer():
    s = _session(hidden=(4,), activation="relu")
    for row in range(4):  # xor's inputs are 0 or 1: positive weights and bias always fire
        for col in (0, 1):
            s.set_weight(0, row, col, 1.0)
        s.set_weight(0, row, None, 0.5)
    assert gradients_frame(s)["health"] == []
    for col in (0, 1):  # negative ones never fire
        s.set_weight(0, 2, col, -1.0)
    s.set_weight(0, 2, None, -0.5)
    assert gradients_frame(s)["health"] == [
        "1 of 4 units in layer 1 is dead: gradient 0 on every sample"]
    s.set_weight(0, 3, None, -5.0)
    assert gradients_frame(s)["health"] == [
        "2 of 4 units in layer 1 are dead: gradient 0 on every sample"]


def test_kaiming_before_relu_and_xavier_before_tanh_have_their_textbook_bounds():
    relu = _session("moons", hidden=(32, 32), activation="relu").network.layers
    w = relu[1][0].weight.array
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 32)  # gain √2, U(-b, b) with b = gain·√(3/fan_in)
    assert numpy.abs(w).max() <= bound and numpy.abs(w).max() > 0.9 * bound
    assert (relu[1][0].bias.array == bp.nn.init.RELU_BIAS).all()  # 0.1: no unit starts off
    tanh = _session("moons", hidden=(32, 32), activation="tanh").network.layers
    w = tanh[1][0].weight.array
    bound = 5 / 3 * math.sqrt(6.0 / (32 + 32))  # Xavier: gain·√(6/(fan_in + fan_out))
    assert numpy.abs(w).max() <= bound and numpy.abs(w).max() > 0.9 * bound


def test_epoch_history_carries_each_layers_gradient_norm():
    s = _session(hidden=(4, 4), activation="tanh")
    s.step("epoch")
    first = layer_norms(s.network)
    s.step("epoch")
    history = s.log.since(0)["grad_norms"]
    assert len(history) == 2 and all(len(norms) == 3 for norms in history)
    assert history[0] == pytest.approx(first, rel=1e-6)
    assert history[1] == pytest.approx(layer_norms(s.network), rel=1e-6)


def test_frames_carry_the_gradients_when_the_weights_change():
    s = _session()
    tracker = FrameTracker()
    assert tracker.build(s)["gradients"]["norms"] is None
    s.step("batch")
    frame = tracker.build(s)
    assert len(frame["gradients"]["norms"]) == 2 and frame["history"]["grad_norms"] == [
        layer_norms(s.network)]


def test_autoencoder_gets_norms_and_a_note_instead_of_flags():
    s = Session(LabConfig(mode="autoencoder", dataset="encoder", hidden=(), bottleneck=3,
                          **DATASET_PRESETS["encoder"]))
    s.step("batch")
    frame = gradients_frame(s)
    assert len(frame["norms"]) == 2 and frame["health"] == []
    # in words a student knows (teacher item 24), not "the health check reads plain networks"
    assert frame["note"].startswith("No warnings of vanishing, exploding or dead units"), \
        frame["note"]
    assert not any(word in frame["note"] for word in ("health check", "Linear", "norm"))


def test_a_notebooks_own_model_is_not_said_to_have_the_labs_initialisation():
    from backproplab.lab.notebook_session import NotebookExperiment, NotebookSession

    model = bp.nn.from_spec({"layers": [2, 3, 1], "activation": "relu",
                             "output_activation": "sigmoid"})
    data = bp.data.load_dataset("xor")
    s = NotebookSession(NotebookExperiment(model, data, loss="bce"))
    assert initialisation(s.network) == "the model's own weights, as its notebook made them"
    assert gradients_frame(s)["norms"] is None
