"""The worker's loop without any transport: fair turns, frames owed to every playing page before
training, the rest of the frames within their share of time, no work when idle, frames paced by
the socket, set speeds kept, and a bug in one session contained to it."""

import json
import logging

from backproplab.lab import limits, worker_schedule
from backproplab.lab.config import LabConfig
from backproplab.lab.frames import FrameTracker
from backproplab.lab.protocol import parse_message
from backproplab.lab.workers import Worker


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def worker_with(*sids, config=None, clock=None):
    events = []
    worker = Worker(events.append) if clock is None else Worker(events.append, clock=clock)
    for sid in sids:
        worker.apply(("open", sid, config))
    return worker, events


def send(worker, sid, **msg):
    worker.apply(("message", sid, parse_message(json.dumps(msg))))


def frames_of(events, sid):
    return [e for e in events if e[0] == "text" and e[1] == sid and e[3]]


def run_units(worker, events, units: int) -> None:
    """``units`` units of work, each frame acknowledged at once (a fast socket)."""
    for _ in range(units):
        worker.work()
        for event in events:
            if event[0] == "text" and event[3] and worker.seats[event[1]].awaiting_send:
                worker.apply(("sent", event[1]))


def test_playing_sessions_get_fair_turns():
    worker, events = worker_with("a", "b", "c")
    for sid in "abc":
        send(worker, sid, type="play")
    run_units(worker, events, 300)
    steps = [worker.seats[sid].session.step_count for sid in "abc"]
    assert min(steps) > 0 and max(steps) <= 2 * min(steps), steps


def test_turns_go_round_robin_among_the_playing_sessions():
    clock = Clock()
    worker, _ = worker_with("a", "b", "c", clock=clock)
    for sid in "abc":
        send(worker, sid, type="play")
        worker.seats[sid].awaiting_send = True  # no frame due: turns only
    order = []
    for _ in range(6):
        kind, sid = worker.schedule.next_work(worker.seats)
        order.append(sid)
        worker.schedule.took_turn(sid, 0.01)
    assert kind == "turn" and order == ["a", "b", "c", "a", "b", "c"]


def test_two_playing_sessions_on_one_worker_both_get_frames_and_train():
    worker, events = worker_with("a", "b")
    for sid in "ab":
        send(worker, sid, type="play")
    run_units(worker, events, 300)
    counts = [len(frames_of(events, sid)) for sid in "ab"]
    assert min(counts) >= 2 and max(counts) <= 2 * min(counts), counts
    assert all(worker.seats[sid].session.step_count > 0 for sid in "ab")


def test_an_owed_frame_comes_before_training_even_when_frames_took_their_share():
    clock = Clock()
    worker, _ = worker_with("a", "b", clock=clock)
    for sid in "ab":
        send(worker, sid, type="play")
    worker.schedule.sent_frame(0.5)  # frames took half the time (over FRAME_SHARE)
    worker.schedule.took_turn("b", 0.5)
    assert worker.schedule.next_work(worker.seats) == ("frame", "a")
    worker.send_frame("a")
    worker.apply(("sent", "a"))
    worker.take_turn("a")  # a changed since its frame
    clock.now += 0.04  # a's next frame may go (30 a second) but is not owed yet (10)
    worker.schedule.sent_frame(0.5)
    worker.schedule.took_turn("b", 0.5)
    assert worker.schedule.next_work(worker.seats) == ("frame", "b")  # b is owed one
    worker.send_frame("b")
    worker.apply(("sent", "b"))
    assert worker.schedule.next_work(worker.seats)[0] == "turn"
    clock.now += 1.0 / worker_schedule.MIN_FRAMES_PER_SECOND
    assert worker.schedule.next_work(worker.seats) == ("frame", "a")  # owed again


def test_a_page_that_got_extra_frames_is_still_owed_its_next_one_a_period_on():
    """A lone session gets 40 frames a second; when 15 more join and frames become scarce, its
    page must still be owed 10 a second, not wait out the credit of its extra frames (the
    benchmark's first session, after 10 s alone, was owed nothing for 27 s and got 2.5 a
    second)."""
    clock = Clock()
    worker, _ = worker_with("a", "b", clock=clock)
    for sid in "ab":
        send(worker, sid, type="play")
    period = 1.0 / worker_schedule.MIN_FRAMES_PER_SECOND
    seat = worker.seats["a"]
    for _ in range(400):  # 10 s at 40 frames a second
        seat.session.version += 1
        worker.send_frame("a")
        worker.apply(("sent", "a"))
        clock.now += 1.0 / limits.MAX_FRAMES_PER_SECOND
    assert seat.owed_at <= seat.last_frame + period
    clock.now = seat.last_frame + period
    seat.session.version += 1
    worker.send_frame("b")  # b's page just had its frame: not due
    worker.apply(("sent", "b"))
    worker.schedule.sent_frame(0.5)  # frames took half the time (over FRAME_SHARE)
    worker.schedule.took_turn("b", 0.5)
    assert worker.schedule.next_work(worker.seats) == ("frame", "a")


def test_an_owed_frame_goes_even_when_a_page_not_owed_has_waited_longer():
    """The page waiting longest is not always the one owed a frame (a late frame is owed its
    next sooner): past FRAME_SHARE, the owed one must go rather than a turn."""
    clock = Clock()
    worker, _ = worker_with("a", "b", clock=clock)
    for sid in "ab":
        send(worker, sid, type="play")
    a, b = worker.seats["a"], worker.seats["b"]
    a.last_frame, a.owed_at = clock.now - 0.06, clock.now + 0.03  # waited longest, not owed
    b.last_frame, b.owed_at = clock.now - 0.05, clock.now - 0.001  # owed (it came late)
    worker.schedule.sent_frame(0.4)  # frames took 40%: over FRAME_SHARE, under the largest
    worker.schedule.took_turn("a", 0.6)
    assert worker.schedule.next_work(worker.seats) == ("frame", "b")


def test_frames_beyond_the_owed_ones_go_while_frames_take_little_time():
    clock = Clock()
    worker, _ = worker_with("a", clock=clock)
    send(worker, "a", type="play")
    worker.send_frame("a")
    worker.apply(("sent", "a"))
    worker.take_turn("a")
    clock.now += 0.04  # due (30 a second), not owed (10 a second)
    worker.schedule.took_turn("a", 1.0)
    worker.schedule.sent_frame(0.1)  # frames took 9% of the time
    assert worker.schedule.next_work(worker.seats) == ("frame", "a")


def test_a_lone_playing_session_may_spend_more_of_the_worker_on_frames_than_one_of_many():
    """A big network's frame costs ~18 ms: at FRAME_SHARE a lone session got ~16 a second
    (spirals 6x32). Alone it may take LONE_FRAME_SHARE; with another session playing, a frame
    not owed waits at the same share, so a classroom's training keeps its time."""
    clock = Clock()
    worker, _ = worker_with("a", "b", clock=clock)
    send(worker, "a", type="play")
    for sid in "ab":
        worker.send_frame(sid)
        worker.apply(("sent", sid))
    worker.take_turn("a")
    clock.now += 0.04  # due (40 a second), not owed (10 a second)
    worker.schedule.took_turn("a", 0.6)
    worker.schedule.sent_frame(0.4)  # frames took 40%: over FRAME_SHARE, under LONE_FRAME_SHARE
    assert worker.schedule.next_work(worker.seats) == ("frame", "a")
    assert worker_schedule.FRAME_SHARE < 0.4 < worker_schedule.LONE_FRAME_SHARE
    send(worker, "b", type="play")
    worker.seats["b"].awaiting_send = True  # b's frame is in flight
    assert worker.schedule.next_work(worker.seats)[0] == "turn"


def test_past_the_largest_frame_share_a_waiting_session_trains_even_with_frames_owed():
    clock = Clock()
    worker, _ = worker_with("a", "b", clock=clock)
    for sid in "ab":
        send(worker, sid, type="play")
    worker.schedule.sent_frame(0.9)
    worker.schedule.took_turn("b", 0.1)
    assert worker.schedule.next_work(worker.seats) == ("turn", "a")


def test_with_nothing_to_train_a_changed_page_gets_its_frame_whatever_the_share():
    clock = Clock()
    worker, _ = worker_with("a", clock=clock)
    worker.schedule.sent_frame(10.0)
    assert worker.schedule.next_work(worker.seats) == ("frame", "a")


def test_a_frame_that_cannot_be_built_does_not_stop_the_other_sessions(monkeypatch, caplog):
    worker, events = worker_with("bad", "good")
    for sid in ("bad", "good"):
        send(worker, sid, type="play")
    build = FrameTracker.build

    def fail_for_bad(tracker, session):
        if session.id == "bad":
            raise RuntimeError("a bug in a frame")
        return build(tracker, session)

    monkeypatch.setattr(FrameTracker, "build", fail_for_bad)
    with caplog.at_level(logging.ERROR, logger="backproplab.lab"):
        run_units(worker, events, 200)
    assert "a bug in a frame" in caplog.text
    assert not frames_of(events, "bad") and len(frames_of(events, "good")) >= 2
    assert worker.seats["bad"].session.step_count > 0  # it still trains
    monkeypatch.setattr(FrameTracker, "build", build)
    worker.seats["bad"].last_frame = float("-inf")  # the retry's time has come
    run_units(worker, events, 50)
    assert '"structure"' in frames_of(events, "bad")[0][2]  # everything, afresh


def test_an_idle_worker_waits_for_its_inbox_without_a_timeout():
    worker, events = worker_with("a")
    assert worker.work() == "frame"
    worker.apply(("sent", "a"))
    assert worker.schedule.wait(worker.seats) is None  # nothing playing or changed: block
    assert worker.work() is None and len(frames_of(events, "a")) == 1


def test_the_next_frame_waits_until_the_socket_took_the_last():
    worker, events = worker_with("a")
    worker.send_frame("a")
    send(worker, "a", type="step")
    worker.seats["a"].last_frame = float("-inf")
    assert worker.work() is None
    assert len(frames_of(events, "a")) == 1
    worker.apply(("sent", "a"))
    assert worker.work() == "frame"
    assert len(frames_of(events, "a")) == 2
    assert json.loads(frames_of(events, "a")[-1][2])["status"]["step"] == 1


def test_a_set_speed_takes_the_steps_its_rate_owes():
    clock = Clock()
    worker = Worker(lambda e: None, clock=clock)
    worker.apply(("open", "a", LabConfig().updated({"speed": 4})))  # 10 steps per second
    send(worker, "a", type="play")
    worker.seats["a"].awaiting_send = True  # turns only
    for _ in range(20):
        clock.now += 0.05
        while worker.work() == "turn":
            pass
    assert 9 <= worker.seats["a"].session.step_count <= 10  # 1 s at 10 steps/s


def test_a_set_speed_sleeps_until_its_next_step_is_owed():
    clock = Clock()
    worker = Worker(lambda e: None, clock=clock)
    worker.apply(("open", "a", LabConfig().updated({"speed": 1})))  # 1 step per second
    send(worker, "a", type="play")
    worker.seats["a"].awaiting_send = True
    clock.now += 1.0
    assert worker.work() == "turn" and worker.seats["a"].session.step_count == 1
    wait = worker.schedule.wait(worker.seats)
    assert wait is not None and 0.9 <= wait <= 1.0  # no busy loop between slow steps
    assert worker.work() is None


def test_a_bug_while_training_pauses_that_session_only(monkeypatch, caplog):
    worker, events = worker_with("bad", "good")
    for sid in ("bad", "good"):
        send(worker, sid, type="play")
    broken = worker.seats["bad"].session

    def fail(seconds):
        raise RuntimeError("a bug in training")

    monkeypatch.setattr(broken, "train_for", fail)
    with caplog.at_level(logging.ERROR, logger="backproplab.lab"):
        run_units(worker, events, 30)
    assert "a bug in training" in caplog.text and not broken.playing
    assert worker.seats["good"].session.playing
    assert worker.seats["good"].session.step_count >= 3


def test_a_command_that_fails_is_logged_and_the_worker_serves_on(caplog):
    worker, events = worker_with("a")
    commands = iter([("open", "b", "not a config"), ("message", "a", parse_message(
        '{"type": "ping", "id": 5}')), ("stop",)])
    with caplog.at_level(logging.ERROR, logger="backproplab.lab"):
        worker.run(lambda timeout: next(commands, None))
    assert "could not apply" in caplog.text
    assert json.loads(events[-1][2]) == {"type": "reply", "id": 5, "ok": True}


def test_a_batch_of_commands_is_applied_in_order_and_events_are_flushed():
    events, flushed = [], []
    worker = Worker(events.append, flush=lambda: flushed.append(len(events)))
    ping = parse_message('{"type": "ping", "id": 1}')
    commands = iter([("batch", [("open", "a", None), ("message", "a", ping), ("stop",),
                                ("message", "a", ping)])])
    worker.run(lambda timeout: next(commands, None))
    assert [json.loads(e[2])["type"] for e in events] == ["welcome", "reply"]
    assert worker.stopped


def test_a_flushing_worker_hands_over_its_events_after_each_read_and_unit():
    events, flushed = [], []
    worker = Worker(events.append, flush=lambda: (flushed.append(events[:]), events.clear()))
    commands = iter([("open", "a", None), None, ("stop",)])
    worker.run(lambda timeout: next(commands, None))
    kinds = [[json.loads(e[2])["type"] for e in batch] for batch in flushed if batch]
    assert kinds == [["welcome"], ["frame"]]


def test_a_turn_ends_when_the_sessions_next_frame_is_due(monkeypatch):
    """A lone playing session must not wait a whole slice for a frame that fell due during it:
    with 20 ms slices and frames at most every 1/30 s, it would get 25 frames a second."""
    clock = Clock()
    worker, _ = worker_with("a", clock=clock)
    send(worker, "a", type="play")
    seat = worker.seats["a"]
    shares = []
    monkeypatch.setattr(seat.session, "train_for", shares.append)
    seat.last_frame = clock.now - 1 / limits.MAX_FRAMES_PER_SECOND + 0.005  # due in 5 ms
    seat.sent_version = seat.session.version - 1  # something to send
    worker.take_turn("a")
    assert abs(shares[-1] - 0.005) < 1e-9, shares
    seat.last_frame = clock.now  # just sent: the full slice
    worker.take_turn("a")
    assert shares[-1] == worker.schedule.slice_seconds(worker.seats)
