"""Frames under a classroom's load: the slow parts and health checks of all the sessions playing
on one worker share its time (``WORKER_SLOW_SHARE``, ``WORKER_HEALTH_SHARE``; a lone session's
slow part has ``HEATMAP_TIME_SHARE``), so each is spread further apart the more sessions play,
while every frame still carries the current status, weights and history; a newly chosen row is
shown at once."""

import pytest

from backproplab.lab import data_space, gradients, limits
from backproplab.lab.frames import FrameTracker, read_float32s
from backproplab.lab.session import Session
from backproplab.lab.workers import Worker


def _timed(monkeypatch, slow_seconds=0.0, health_seconds=0.0):
    """A playing session whose slow part and health check take the given time on a fake
    clock, its tracker on that clock, and the clock."""
    now = [0.0]
    heatmaps, health = data_space.heatmaps, gradients.health

    def slow(network, points):
        now[0] += slow_seconds
        return heatmaps(network, points)

    def checked(session):
        now[0] += health_seconds
        return health(session)

    monkeypatch.setattr(data_space, "heatmaps", slow)
    monkeypatch.setattr("backproplab.lab.frames.health", checked)
    session = Session()
    session.playing = True
    return session, FrameTracker(clock=lambda: now[0]), now


@pytest.mark.parametrize("sharing", [1, 16])
def test_a_sessions_slow_part_waits_its_cost_times_the_sessions_playing_over_the_share(
        monkeypatch, sharing):
    session, tracker, now = _timed(monkeypatch, slow_seconds=0.01)
    tracker.sharing = sharing
    assert "space" in tracker.build(session)
    # 20 ms alone, ~1.07 s among 16
    gap = 0.01 * (1 / limits.HEATMAP_TIME_SHARE if sharing == 1
                  else sharing / limits.WORKER_SLOW_SHARE)
    session.step("batch")
    now[0] = gap * 0.9
    frame = tracker.build(session)  # too soon: everything but the slow part
    assert "space" not in frame and "neurons" not in frame and "predictions" not in frame
    assert "selected" not in frame
    assert frame["status"]["step"] == session.step_count
    weights = read_float32s(frame["network"]["weights"], frame["network"]["shapes"])
    assert all((w == p.array).all() for w, p in zip(weights, session.network.parameters(),
                                                    strict=True))
    assert frame["history"]["epoch"][-1] == session.epoch
    now[0] = gap
    frame = tracker.build(session)
    assert {"space", "neurons", "predictions", "selected"} <= set(frame)


def test_under_load_the_health_check_waits_its_cost_times_the_sessions_over_its_share(
        monkeypatch):
    session, tracker, now = _timed(monkeypatch, health_seconds=0.02)
    tracker.sharing = 16
    assert tracker.build(session)["gradients"]["health_at_step"] == 0
    gap = 0.02 * 16 / limits.WORKER_HEALTH_SHARE  # 3.2 s: far past GRADIENT_HEALTH_SECONDS
    for at in (limits.GRADIENT_HEALTH_SECONDS, gap * 0.9):
        session.step("batch")
        now[0] = at
        frame = tracker.build(session)["gradients"]  # the step's norms, the earlier check
        assert frame["norms_at_step"] == session.step_count and frame["health_at_step"] == 0
    assert tracker.space_due(session) == pytest.approx(gap)
    now[0] = gap
    assert tracker.build(session)["gradients"]["health_at_step"] == session.step_count


def test_a_lone_sessions_health_check_keeps_the_quarter_second(monkeypatch):
    session, tracker, now = _timed(monkeypatch, health_seconds=0.001)
    assert tracker.build(session)["gradients"]["health_at_step"] == 0
    session.step("batch")
    now[0] = limits.GRADIENT_HEALTH_SECONDS * 0.9
    assert tracker.build(session)["gradients"]["health_at_step"] == 0
    session.step("batch")
    now[0] = limits.GRADIENT_HEALTH_SECONDS
    assert tracker.build(session)["gradients"]["health_at_step"] == 2


def test_a_newly_chosen_row_is_shown_at_once_and_its_new_pass_comes_with_the_maps(monkeypatch):
    session, tracker, now = _timed(monkeypatch, slow_seconds=0.05)
    tracker.build(session)
    now[0] = 0.06
    session.step("batch")
    assert "selected" not in tracker.build(session)  # new weights: with the slow part
    session.selected = 2
    session.version += 1  # what the select message does
    frame = tracker.build(session)
    assert frame["selected"]["index"] == 2 and "space" not in frame
    assert frame["selected"] == _selected_now(session)
    now[0] = 1.0
    frame = tracker.build(session)  # the slow part: the chosen row was shown for these weights
    assert "space" in frame and "selected" not in frame
    session.step("batch")
    now[0] = 2.0
    frame = tracker.build(session)
    assert "space" in frame and frame["selected"] == _selected_now(session)


def _selected_now(session):
    from backproplab.lab.frames import selected

    return selected(session)


def test_the_worker_tells_each_tracker_how_many_sessions_play_on_it():
    events = []
    worker = Worker(events.append)
    for sid in "abc":
        worker.apply(("open", sid, None))
    worker.seats["a"].session.playing = worker.seats["b"].session.playing = True
    for sid in "abc":
        worker.seats[sid].session.version += 1
        worker.send_frame(sid)
    assert [worker.seats[sid].frames.tracker.sharing for sid in "abc"] == [2, 2, 2]
