"""Each neuron's map in the network panel is that neuron's output computed by the engine, on
the points of its small grid; features are the model's real inputs."""

import numpy
import pytest

import backproplab as bp
from backproplab.lab import limits, neuron_maps
from backproplab.lab.config import LabConfig, from_query
from backproplab.lab.data_space import grid_points, heatmaps
from backproplab.lab.frames import FrameTracker
from backproplab.lab.session import Session


def engine_layers(session, raw_points, features=None):
    """Each layer's output by bp tensor ops on the model's own weights: x·Wᵀ + b, then the
    layer's activation (the output layer on the probability scale)."""
    x = raw_points if features is None else bp.data.feature_columns(raw_points, features)
    h = bp.from_numpy(x.astype(numpy.float32))
    outs = [h.array]
    linears = [m for m in session.network.model.modules() if isinstance(m, bp.nn.Linear)]
    acts = [a for _, a in session.network.layers]
    with bp.no_grad():
        for linear, act in zip(linears, acts, strict=True):
            h = h @ linear.weight.T + linear.bias
            name = type(act).__name__.lower() if act is not None else "identity"
            h = {"tanh": h.tanh, "sigmoid": h.sigmoid, "relu": h.relu,
                 "identity": lambda h=h: h}[name]()
            outs.append(h.array)
    return outs


def trained(query: str, epochs: int) -> Session:
    session = Session(from_query(query))
    for _ in range(epochs):
        session.step("epoch")
    return session


@pytest.mark.parametrize("query", ["", "dataset=moons&points=80&hidden=5,3&activation=relu",
                                   "dataset=circles&points=60&features=x1sq,x2sq,sinx1&hidden=3"])
def test_each_neuron_map_is_the_engines_output_of_that_neuron_on_its_grid(query):
    session = trained(query, 3)
    extent = session.points.extent()
    big = session.network.layer_outputs(grid_points(extent, limits.HEATMAP_SIZE))
    small = neuron_maps.grid_values(big)
    points = grid_points(extent, limits.NEURON_MAP_SIZE)
    expected = engine_layers(session, points, session.network.features)
    assert len(small) == len(expected) == len(session.network.sizes)
    for got, want in zip(small, expected, strict=True):
        assert got.shape == want.shape == (limits.NEURON_MAP_SIZE ** 2, want.shape[1])
        numpy.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    # what the frame carries decodes to the same maps within half a byte's step
    _, neurons = heatmaps(session.network, session.points)
    assert neurons["kind"] == "grid" and neurons["size"] == limits.NEURON_MAP_SIZE
    for got, want in zip(neuron_maps.decode(neurons), expected, strict=True):
        step = (want.max(axis=0) - want.min(axis=0)) / 255
        assert (numpy.abs(got - want) <= step / 2 + 2e-6).all()


def test_the_output_neurons_map_is_the_data_space_heatmap_on_the_small_grid():
    session = trained("", 20)
    space, neurons = heatmaps(session.network, session.points)
    big = numpy.frombuffer(__import__("base64").b64decode(space["values"]), numpy.uint8)
    start, stride = neuron_maps.STRIDE // 2, neuron_maps.STRIDE
    cut = big.reshape(100, 100)[start::stride, start::stride].ravel() / 255
    output = neuron_maps.decode(neurons)[-1][:, 0]
    assert numpy.abs(cut - output).max() < 1.5 / 255


def test_one_d_data_gives_each_neuron_a_curve_and_an_autoencoder_its_samples():
    curve = trained("dataset=sine&loss=mse&points=40&hidden=6", 1)
    _, neurons = heatmaps(curve.network, curve.points)
    xs = numpy.array(neurons["xs"], dtype=numpy.float32)
    assert neurons["kind"] == "curve" and neurons["cells"] == len(xs) == 50
    want = engine_layers(curve, xs[:, None])
    for got, w in zip(neuron_maps.decode(neurons), want, strict=True):
        assert numpy.abs(got - w).max() <= (w.max() - w.min()) / 510 + 2e-6
    from backproplab.lab.data_space import autoencoder_view

    ae = Session(LabConfig(mode="autoencoder", dataset="encoder", hidden=(), bottleneck=3))
    view, neurons = autoencoder_view(ae.network, ae.points)
    assert len(view["outputs"]) == 8 * 8
    assert neurons["kind"] == "samples" and neurons["rows"] == list(range(8))
    assert [len(layer["lo"]) for layer in neurons["layers"]] == [8, 3, 8]


def test_frames_carry_neuron_maps_only_when_the_weights_changed():
    now = [0.0]
    session, tracker = Session(), FrameTracker(clock=lambda: now[0])
    assert "neurons" in tracker.build(session)
    now[0] += 1
    session.select(2)
    assert "neurons" not in tracker.build(session)
    now[0] += 1
    session.step("batch")
    frame = tracker.build(session)
    assert "neurons" in frame and len(frame["neurons"]["values"]) < 4 * 7 * 400 // 3 + 4


def circles_accuracy(features: str) -> float:
    session = Session(from_query("dataset=circles&points=200&noise=0.05&test_fraction=0.3"
                                 f"&features={features}&hidden=&lr=1"))
    assert session.network.sizes == [len(features.split(",")), 1]
    for _ in range(40):
        session.step("epoch")
    return session.log.last("accuracy")


def test_squared_features_without_a_hidden_layer_separate_circles():
    """x₁² + x₂² is the radius: one neuron on the squares separates the circles. Odd features
    cannot: f = w·sin(x) + b has f(p) + f(−p) = 2b, so of an outer point p and its opposite −p
    (both outer) one is always on the inner side, and at most ~75% can be right."""
    assert circles_accuracy("x1sq,x2sq") >= 0.9
    assert circles_accuracy("sinx1,sinx2") < 0.75
    assert circles_accuracy("x1,x2") < 0.75


def test_features_are_the_inputs_of_training_prediction_and_the_selected_row():
    session = Session(from_query("dataset=moons&points=30&features=x1,x1x2,sinx2"))
    x = session.points.x[4]
    want = [x[0], x[0] * x[1], numpy.sin(x[1])]
    numpy.testing.assert_allclose(session._x[4], want, rtol=1e-6)
    reply = session.predict(x.tolist())
    numpy.testing.assert_allclose(reply["inputs"], want, rtol=1e-5)
    frame = FrameTracker().build(session)
    assert frame["structure"]["input_names"] == ["x₁", "x₁x₂", "sin x₂"]
    assert frame["structure"]["sizes"][0] == 3
    assert frame["config"]["query"].endswith("features=x1%2Cx1x2%2Csinx2")


def test_a_bias_edit_moves_the_prediction_as_the_model_says():
    session = Session()
    before = session.predict([0.3, 0.7])["output"][0]
    session.set_weight(0, 1, None, 2.5)
    assert session.network.layers[0][0].bias.array[1] == numpy.float32(2.5)
    after = session.predict([0.3, 0.7])["output"][0]
    with bp.no_grad():
        expected = session.network.model(bp.from_numpy(
            numpy.array([[0.3, 0.7]], dtype=numpy.float32))).array[0, 0]
    assert after != before and abs(after - expected) < 1e-6


def test_a_slow_data_space_is_refreshed_at_most_half_the_time_and_never_left_stale(monkeypatch):
    from backproplab.lab import data_space

    now = [0.0]
    computed = data_space.heatmaps

    def slow(network, points):  # the data space takes 50 ms to compute
        now[0] += 0.05
        return computed(network, points)

    monkeypatch.setattr(data_space, "heatmaps", slow)
    session, tracker = Session(), FrameTracker(clock=lambda: now[0])
    assert "space" in tracker.build(session)
    now[0] = 0.06
    session.step("batch")
    frame = tracker.build(session)  # 10 ms after a 50 ms computation: too soon
    assert "network" in frame and "space" not in frame and "neurons" not in frame
    now[0] = 0.11
    frame = tracker.build(session)  # nothing new happened, but the data space was stale
    assert frame is not None and "space" in frame and "neurons" in frame
    assert tracker.build(session) is None
    # a worker that sent everything still comes back for the data space when it is due
    from backproplab.lab.workers import Seat

    seat = Seat(session)
    seat.frames.tracker = FrameTracker(clock=lambda: now[0])
    seat.frames.next_text()
    seat.sent_version, seat.last_frame = session.version, now[0]
    assert seat.frame_due(now[0]) is None
    now[0] += 0.01
    session.step("batch")
    seat.frames.next_text()  # 10 ms after a 50 ms computation: the data space waits
    seat.sent_version = session.version
    due = seat.frame_due(now[0])
    assert due is not None and due > now[0]  # not now: when the 50 ms have been doubled
    now[0] = due
    assert '"space"' in seat.frames.next_text()
    assert seat.frame_due(now[0]) is None
