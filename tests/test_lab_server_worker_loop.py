"""The worker's loop without any transport: fair turns, no work when idle, frames paced by the
socket, set speeds kept, and a bug in one session contained to it."""

import json
import logging

from backproplab.lab.config import LabConfig
from backproplab.lab.protocol import parse_message
from backproplab.lab.workers import Worker


def worker_with(*sids, config=None):
    events = []
    worker = Worker(events.append)
    for sid in sids:
        worker.apply(("open", sid, config))
    return worker, events


def send(worker, sid, **msg):
    worker.apply(("message", sid, parse_message(json.dumps(msg))))


def frames_of(events, sid):
    return [e for e in events if e[0] == "text" and e[1] == sid and e[3]]


def test_playing_sessions_get_fair_turns():
    worker, _ = worker_with("a", "b", "c")
    for sid in "abc":
        send(worker, sid, type="play")
    for _ in range(30):
        worker.train_round()
    steps = [worker.seats[sid].session.step_count for sid in "abc"]
    assert min(steps) > 0 and max(steps) <= 2 * min(steps), steps


def test_an_idle_worker_waits_for_its_inbox_without_a_timeout():
    worker, events = worker_with("a")
    worker.send_frames()
    worker.apply(("sent", "a"))
    assert worker._wait() is None  # nothing playing, nothing changed: block, do not poll
    worker.send_frames()
    assert len(frames_of(events, "a")) == 1


def test_the_next_frame_waits_until_the_socket_took_the_last():
    worker, events = worker_with("a")
    worker.send_frames()
    send(worker, "a", type="step")
    worker.seats["a"].last_frame = float("-inf")
    worker.send_frames()
    assert len(frames_of(events, "a")) == 1
    worker.apply(("sent", "a"))
    worker.send_frames()
    assert len(frames_of(events, "a")) == 2
    assert json.loads(frames_of(events, "a")[-1][2])["status"]["step"] == 1


def test_a_set_speed_takes_the_steps_its_rate_owes():
    clock = [100.0]
    worker = Worker(lambda e: None, clock=lambda: clock[0])
    worker.apply(("open", "a", LabConfig().updated({"speed": 4})))  # 10 steps per second
    send(worker, "a", type="play")
    for _ in range(20):
        clock[0] += 0.05
        worker.train_round()
    assert 9 <= worker.seats["a"].session.step_count <= 10  # 1 s at 10 steps/s


def test_a_bug_while_training_pauses_that_session_only(monkeypatch, caplog):
    worker, _ = worker_with("bad", "good")
    for sid in ("bad", "good"):
        send(worker, sid, type="play")
    broken = worker.seats["bad"].session

    def fail(seconds):
        raise RuntimeError("a bug in training")

    monkeypatch.setattr(broken, "train_for", fail)
    with caplog.at_level(logging.ERROR, logger="backproplab.lab"):
        for _ in range(3):
            worker.train_round()
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


def test_frames_over_budget_wait_for_the_next_round_longest_waiting_first():
    worker, events = worker_with("a", "b", "c")
    worker.send_frames(budget=0.0)
    worker.send_frames(budget=0.0)
    worker.send_frames(budget=0.0)
    firsts = [e[1] for e in events if e[0] == "text" and e[3]]
    assert sorted(firsts) == ["a", "b", "c"]  # one a round, each session in turn
    for sid in firsts:
        worker.apply(("sent", sid))
        send(worker, sid, type="step")
        worker.seats[sid].last_frame -= 1.0
    worker.send_frames(budget=0.0)
    assert [e[1] for e in events if e[0] == "text" and e[3]][-1] == firsts[0]
