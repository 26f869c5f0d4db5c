"""What a frame carries and how often: the engine's exact float32 weights, gradients and
updates; predictions with the slow part unless the page asks for others; the gradient health
check at most every GRADIENT_HEALTH_SECONDS while training plays, saying which step it read."""

import numpy
import pytest

import backproplab as bp
from backproplab.lab import gradients, limits
from backproplab.lab.config import DATASET_PRESETS, LabConfig, from_query
from backproplab.lab.frames import FrameTracker, float32_bytes, read_float32s
from backproplab.lab.session import Session


def test_the_network_frame_is_the_engines_float32_weights_gradients_and_last_update():
    session = Session(from_query("dataset=moons&points=60&hidden=5,3"))
    frame = FrameTracker().build(session)["network"]
    assert frame["grads"] is None and frame["updates"] is None  # before the first step
    params = session.network.parameters()
    session.step("batch")
    before = [p.array.copy() for p in params]
    session.step("batch")
    frame = FrameTracker().build(session)["network"]
    assert frame["shapes"] == [[5, 2], [5], [3, 5], [3], [1, 3], [1]]
    for got, p in zip(read_float32s(frame["weights"], frame["shapes"]), params, strict=True):
        assert got.dtype == numpy.float32 and numpy.array_equal(got, p.array)
    for got, p in zip(read_float32s(frame["grads"], frame["shapes"]), params, strict=True):
        assert numpy.array_equal(got, p.grad.array)
    for got, p, b in zip(read_float32s(frame["updates"], frame["shapes"]), params, before,
                         strict=True):
        assert numpy.array_equal(got, p.array - b) and got.any()


def test_float32_bytes_read_back_bit_for_bit_including_non_finite_values():
    arrays = [numpy.array([[1.5, -2.25e-30], [numpy.inf, numpy.nan]], dtype=numpy.float32),
              numpy.array([3.4e38], dtype=numpy.float32)]
    back = read_float32s(float32_bytes(arrays), [[2, 2], [1]])
    for a, b in zip(arrays, back, strict=True):
        assert a.tobytes() == b.tobytes()


def _slow_clock_session(monkeypatch, query=""):
    """A session whose slow part takes 50 ms on a fake clock, and that clock."""
    from backproplab.lab import data_space

    now = [0.0]
    computed = data_space.heatmaps

    def slow(network, points):
        now[0] += 0.05
        return computed(network, points)

    monkeypatch.setattr(data_space, "heatmaps", slow)
    return Session(from_query(query)), FrameTracker(clock=lambda: now[0]), now


def test_predictions_wait_for_the_slow_part_but_a_new_page_comes_at_once(monkeypatch):
    session, tracker, now = _slow_clock_session(
        monkeypatch, "dataset=moons&points=300&test_fraction=0")
    assert "predictions" in tracker.build(session)
    now[0] = 0.06
    session.step("batch")
    frame = tracker.build(session)  # too soon after a 50 ms slow part
    assert "network" in frame and "predictions" not in frame and "space" not in frame
    session.show_page(2)
    frame = tracker.build(session)  # the table turned a page: its rows' predictions now
    _assert_page_predictions(frame["predictions"], session, 200)
    now[0] = 0.2
    frame = tracker.build(session)
    assert "space" in frame and "predictions" not in frame  # already sent for these weights
    session.step("batch")
    now[0] = 1.0
    frame = tracker.build(session)
    assert "space" in frame
    _assert_page_predictions(frame["predictions"], session, 200)


def _assert_page_predictions(shown: dict, session, start: int) -> None:
    """The frame's predictions are the rows of the table page on show (a page of
    TABLE_PAGE_ROWS from ``start``): each one's output and error, as the engine gives them."""
    rows = slice(start, min(start + limits.TABLE_PAGE_ROWS, len(session.points)))
    out = session.network.outputs(session.points.x)[rows, 0]
    error = numpy.abs(session.points.y[rows, 0] - out)
    assert shown["start"] == start
    assert numpy.array_equal(read_float32s(shown["prediction"], [[len(out)]])[0], out)
    assert numpy.array_equal(read_float32s(shown["error"], [[len(out)]])[0], error)


def test_health_is_checked_at_most_every_quarter_second_while_playing(monkeypatch):
    calls = []
    real = gradients.health
    monkeypatch.setattr("backproplab.lab.frames.health",
                        lambda session: calls.append(session.step_count) or real(session))
    now = [0.0]
    session, tracker = Session(), FrameTracker(clock=lambda: now[0])
    tracker.build(session)
    session.playing = True
    session.step("batch")
    now[0] = 1.0
    first = tracker.build(session)["gradients"]
    assert calls == [0, 1] and first["health_at_step"] == first["norms_at_step"] == 1
    session.step("batch")
    now[0] += limits.GRADIENT_HEALTH_SECONDS / 2
    frame = tracker.build(session)["gradients"]  # the norms are the step's, the check waits
    assert calls == [0, 1] and frame["norms_at_step"] == 2 and frame["health_at_step"] == 1
    assert frame["norms"] == gradients.layer_norms(session.network)
    assert frame["health"] == first["health"] and frame["ratio"] == first["ratio"]
    due = tracker.space_due(session)  # the worker comes back for it when no step comes
    assert due == pytest.approx(1.0 + limits.GRADIENT_HEALTH_SECONDS)
    now[0] = due
    frame = tracker.build(session)
    assert calls == [0, 1, 2] and frame["gradients"]["health_at_step"] == 2
    assert tracker.space_due(session) is None and tracker.build(session) is None


def test_pausing_brings_the_health_of_the_current_weights_at_once(monkeypatch):
    now = [0.0]
    session, tracker = Session(), FrameTracker(clock=lambda: now[0])
    session.playing = True
    tracker.build(session)
    session.step("batch")
    tracker.build(session)
    session.step("batch")
    session.playing = False
    session.version += 1  # what Player.pause does
    frame = tracker.build(session)["gradients"]
    assert frame["health_at_step"] == 2
    want = gradients.health(session)
    assert {k: frame[k] for k in want} == want


def test_dead_relu_and_vanishing_flags_reach_the_frames_while_playing():
    s = Session(LabConfig(dataset="moons", **{**DATASET_PRESETS["moons"],
                                               "hidden": (4,) * 6, "activation": "sigmoid"}))
    tracker = FrameTracker()
    s.playing = True
    s.step("batch")
    flags = tracker.build(s)["gradients"]["health"]
    assert flags[0].startswith("vanishing gradient: layer 1 receives ")
    relu = Session(LabConfig(hidden=(4,), activation="relu"))
    for row in range(4):  # xor's inputs are 0 or 1: positive weights fire, negative never
        for col in (0, 1):
            relu.set_weight(0, row, col, -1.0 if row == 2 else 1.0)
        relu.set_weight(0, row, None, -0.5 if row == 2 else 0.5)
    relu.playing = True
    relu.step("batch")
    flags = FrameTracker().build(relu)["gradients"]["health"]
    assert "1 of 4 units in layer 1 is dead: gradient 0 on every sample" in flags
    with bp.no_grad():  # the unit is dead on xor's every input, as the flag says
        net = relu.network.layers[0][0](bp.from_numpy(relu._x)).array
    assert (net[:, 2] <= 0).all()


def test_the_initialisation_text_follows_a_new_network():
    session, tracker = Session(), FrameTracker()
    first = tracker.build(session)["gradients"]["init"]
    session.configure(session.config.updated({"activation": "relu"}))
    now = tracker.build(session)["gradients"]["init"]
    assert now == gradients.initialisation(session.network) != first
    assert "Kaiming" in now and "Kaiming" not in first
