"""Sessions: training through the library, reset and reinitialise, edits, divergence, limits."""

import base64

import numpy
import pytest

import backproplab as bp
from backproplab.lab import limits
from backproplab.lab.config import LabConfig
from backproplab.lab.frames import FrameTracker, read_float32s
from backproplab.lab.player import Player
from backproplab.lab.session import Session
from backproplab.lab.session_pool import PoolFull, SessionPool


def weights(session):
    return [p.array.copy() for p in session.network.parameters()]


def test_xor_is_learned_within_a_few_thousand_steps():
    session = Session()
    for _ in range(3000):
        session.step("batch")
    assert session.log.last("accuracy") == 1.0
    assert session.log.last("train_loss") < 0.05


def test_one_step_is_one_optimizer_step():
    session = Session()
    before = weights(session)
    assert session.step("batch") == 1
    assert session.step_count == 1
    assert any(not numpy.array_equal(a, b) for a, b in zip(before, weights(session), strict=True))


def test_epoch_step_visits_every_training_row_once():
    session = Session(LabConfig().updated({"dataset": "moons", "points": 100,
                                           "test_fraction": 0.2, "batch_size": 16}))
    assert session.step("epoch") == 5  # 80 training rows in batches of 16
    assert session.epoch == 1


def test_sample_step_trains_on_the_selected_row_only():
    session = Session()
    session.select(2)
    trace = session.trace()
    session.step("sample")
    new = {p["name"]: p["new"] for p in trace["update"]["params"]}
    assert session.network.model.state_dict()["0.weight"].array[0, 0] == pytest.approx(
        new["0.weight[0, 0]"], abs=1e-6)


def test_reset_restores_identical_initial_weights():
    session = Session()
    initial = weights(session)
    for _ in range(50):
        session.step("batch")
    session.reset()
    assert all(numpy.array_equal(a, b) for a, b in zip(initial, weights(session), strict=True))
    assert session.epoch == 0 and len(session.log) == 0


def test_reinitialise_draws_new_weights_from_a_new_seed():
    session = Session()
    initial = weights(session)
    seed = session.reinitialise()
    assert session.config.seed == seed
    assert any(not numpy.array_equal(a, b) for a, b in zip(initial, weights(session), strict=True))


def test_same_seed_gives_the_same_network_in_two_sessions():
    a, b = Session(), Session()
    assert all(numpy.array_equal(x, y) for x, y in zip(weights(a), weights(b), strict=True))


def test_learning_rate_change_keeps_the_weights_and_marks_an_event():
    session = Session()
    session.step("batch")
    kept = weights(session)
    assert session.configure(session.config.updated({"lr": 0.05})) == "training"
    assert session.optimizer.param_groups[0]["lr"] == 0.05
    assert all(numpy.array_equal(a, b) for a, b in zip(kept, weights(session), strict=True))
    assert session.history.events[-1].kind == "lr"


def test_optimizer_change_keeps_the_weights():
    session = Session()
    session.step("batch")
    kept = weights(session)
    session.configure(session.config.updated({"optimizer": "adam", "lr": 0.01}))
    assert type(session.optimizer).__name__ == "Adam"
    assert all(numpy.array_equal(a, b) for a, b in zip(kept, weights(session), strict=True))


def test_architecture_change_rebuilds_the_network():
    session = Session()
    assert session.configure(session.config.updated({"hidden": (3, 5)})) == "rebuilt"
    assert session.network.sizes == [2, 3, 5, 1]


def test_divergence_is_an_explained_state_not_nans():
    session = Session(LabConfig().updated({"dataset": "sine", "loss": "mse", "lr": 10.0,
                                           "hidden": (16,), "activation": "relu",
                                           "points": 100, "batch_size": 100}))
    for _ in range(200):
        session.step("batch")
        if session.diverged:
            break
    assert session.diverged and "learning rate" in session.diverged
    assert all(numpy.isfinite(w).all() for w in weights(session))
    frame = FrameTracker().build(session)
    assert frame["status"]["diverged"] == session.diverged


def test_editing_rows_changes_the_training_data():
    session = Session()
    index = session.add_row([0.5, 0.5], 1)
    assert len(session.points) == 5 and session.points.y[index, 0] == 1
    session.set_row(index, [0.25, 0.75], 0)
    assert session.points.x[index].tolist() == [0.25, 0.75]
    session.delete_row(index)
    assert len(session.points) == 4


@pytest.mark.parametrize("x, y, words", [
    ([0.5, 0.5], 2, "0 or 1"),
    ([0.5], 1, "2 input"),
])
def test_bad_rows_are_refused(x, y, words):
    with pytest.raises(ValueError, match=words):
        Session().add_row(x, y)


def test_points_are_limited():
    session = Session(LabConfig().updated({"dataset": "moons", "points": limits.MAX_POINTS}))
    with pytest.raises(ValueError, match="at most"):
        session.add_row([0.0, 0.0], 1)


def test_predict_returns_the_forward_pass():
    result = Session().predict([1.0, 0.0])
    assert len(result["layers"]) == 2 and 0 <= result["output"][0] <= 1


def test_trace_equals_explain_trace_step_for_the_same_state():
    session = Session()
    session.step("batch")
    rows = numpy.array([1])
    expected = bp.explain.trace_step(session.network.model, session._x[rows],
                                     session._t[rows], session.network.loss_fn,
                                     optimizer=session.optimizer).to_dict()
    session.select(1)
    assert {k: v for k, v in session.trace().items() if k != "index"} == expected


def test_autoencoder_mode_trains_on_the_encoder_problem():
    session = Session(LabConfig().updated({"mode": "autoencoder", "dataset": "encoder",
                                           "hidden": (), "bottleneck": 3, "loss": "mse",
                                           "lr": 0.05, "optimizer": "adam", "batch_size": 8}))
    assert session.network.sizes == [8, 3, 8]
    for _ in range(300):
        session.step("batch")
    frame = FrameTracker().build(session)
    assert len(frame["autoencoder"]["latent"]) == 16
    assert session.log.last("train_loss") < session.log.columns["train_loss"][0]


DIGITS = {"mode": "autoencoder", "dataset": "digits", "points": 250, "test_fraction": 0.2,
          "batch_size": 32, "loss": "mse", "hidden": (), "bottleneck": 2, "optimizer": "adam",
          "lr": 0.01}


def test_autoencoder_frames_carry_the_reconstructions_of_the_table_page_on_show():
    session = Session(LabConfig().updated(DIGITS))
    session.step("batch")
    tracker = FrameTracker()
    with bp.no_grad():
        out = session.network.model(bp.from_numpy(session.points.x)).array
    for page, start in [(0, 0), (7, 200), (1, 100)]:  # past the last page: the last page
        session.show_page(page)
        shown = tracker.build(session)["predictions"]["reconstruction"]
        values = numpy.frombuffer(base64.b64decode(shown["values"]), dtype="<f4")
        assert shown["start"] == start and shown["width"] == 64
        rows = min(limits.TABLE_PAGE_ROWS, len(session.points) - start)
        assert numpy.array_equal(values.reshape(-1, 64), out[start:start + rows])
    assert "predictions" not in (tracker.build(session) or {})  # nothing changed, nothing sent


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_autoencoder_row_error_is_the_loss_of_a_step_on_that_row(loss):
    session = Session(LabConfig().updated({"mode": "autoencoder", "dataset": "encoder",
                                           "hidden": (), "bottleneck": 3, "loss": loss}))
    session.step("batch")
    error = read_float32s(FrameTracker().build(session)["predictions"]["error"],
                          [[len(session.points)]])[0]
    for i in range(len(session.points)):
        assert error[i] == pytest.approx(session.trace(i)["loss"]["value"], abs=1e-5)


@pytest.mark.parametrize(("changes", "roles", "activations"), [
    ({"hidden": ()}, ["output"], ["sigmoid"]),
    ({"hidden": (3, 2), "activation": "relu"}, ["hidden", "hidden", "output"],
     ["relu", "relu", "sigmoid"]),
    ({"mode": "autoencoder", "dataset": "encoder", "hidden": (), "bottleneck": 3},
     ["code", "output"], ["identity", "sigmoid"]),
    ({"mode": "autoencoder", "dataset": "encoder", "hidden": (5,), "bottleneck": 3},
     ["hidden", "code", "hidden", "output"], ["tanh", "identity", "tanh", "sigmoid"]),
])
def test_structure_names_each_layers_role_beside_the_models_activation(changes, roles,
                                                                        activations):
    structure = FrameTracker().build(Session(LabConfig().updated(changes)))["structure"]
    assert structure["roles"] == roles and structure["activations"] == activations


def test_pool_evicts_the_idle_session_when_full():
    pool = SessionPool(max_sessions=2, idle_seconds=0.0)
    first = pool.open()
    pool.open()
    pool.open()
    assert first.evicted and len(pool) == 2


def test_pool_refuses_when_every_session_is_active():
    pool = SessionPool(max_sessions=1, idle_seconds=3600)
    pool.open()
    with pytest.raises(PoolFull):
        pool.open()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sweep_closes_only_sessions_idle_longer_than_the_limit():
    clock = FakeClock()
    pool = SessionPool(idle_seconds=60, clock=clock)
    quiet, busy = pool.open(), pool.open()
    clock.now += 50
    busy.touch()
    assert pool.sweep() == []
    clock.now += 11
    assert pool.sweep() == [quiet]
    assert quiet.evicted and not busy.evicted
    assert pool.get(quiet.id) is None and pool.get(busy.id) is busy


def test_sweep_stops_the_training_of_an_idle_session():
    clock = FakeClock()
    pool = SessionPool(idle_seconds=60, clock=clock)
    session = pool.open()
    Player(session).play()
    assert session.playing
    clock.now += 61
    pool.sweep()
    assert not session.playing and session.evicted and len(pool) == 0
