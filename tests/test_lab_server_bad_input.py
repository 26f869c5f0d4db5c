"""Hostile and broken input to the lab's server: each gets one clear error reply (or a 400 with
line and column for a CSV file), every reply and frame is strict JSON, and nothing the session
had is lost."""

import json
import logging
import math
import warnings

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from backproplab.lab import create_app, frames
from backproplab.lab.protocol import NON_FINITE_NOTE, encode


def strict_json(text: str):
    """``text`` parsed as a browser's JSON.parse would: NaN and Infinity are refused."""
    def refuse(name):
        raise AssertionError(f"{name} in a message: not JSON")
    return json.loads(text, parse_constant=refuse)


class StrictConversation:
    """Sends messages and returns the one reply to each; every text received (frames too)
    must be strict JSON."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.welcome = strict_json(ws.receive_text())
        self.frames = []

    def send_raw(self, raw) -> dict:
        self.ws.send_text(raw) if isinstance(raw, str) else self.ws.send_bytes(raw)
        return self.reply()

    def ask(self, type_: str, **fields) -> dict:
        self.next_id += 1
        self.ws.send_text(json.dumps({"type": type_, "id": self.next_id, **fields}))
        reply = self.reply()
        assert reply["id"] == self.next_id
        return reply

    def reply(self) -> dict:
        while True:
            msg = strict_json(self.ws.receive_text())
            if msg["type"] != "frame":
                return msg
            self.frames.append(msg)

    def frame_where(self, test) -> dict:
        """The first frame (already received or next) for which ``test`` holds."""
        for frame in self.frames:
            if test(frame):
                return frame
        while True:
            msg = strict_json(self.ws.receive_text())
            if msg["type"] == "frame":
                self.frames.append(msg)
                if test(msg):
                    return msg


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def talk(client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        yield StrictConversation(ws)


def session_of(app, talk):
    """The talk's ``Session`` object (it lives in this process: ``workers=0``)."""
    return app.state.lab.session(talk.welcome["session"])


@pytest.mark.parametrize("raw, words", [
    ("[" * 1000 + "]" * 1000, "nested deeper"),
    ('{"type": "ping", "x": ' + "[" * 40 + "]" * 40 + "}", "nested deeper"),
    ('{"type": "ping", "id": ' + "1" * 4301 + "}", "malformed JSON"),
    ('{"type": "select", "index": ' + "9" * 400 + "}", "index"),
    ('{"type": "ping", "id": ' + str(2**60) + "}", "id"),
    ('{"type": "predict", "x": [NaN, 0]}', "NaN is not a JSON number"),
    ('{"type": "predict", "x": [Infinity, 0]}', "Infinity is not a JSON number"),
    ('{"type": "predict", "x": [1e400, 0]}', "x"),
    ('{"type": ["configure"]}', "unknown message type"),
    ('{"type": "select", "index": "1"}', "index: Input should be a valid integer"),
    ('{"type": "select", "index": true}', "index: Input should be a valid integer"),
    ('{"type": "select", "index": 1.0}', "index: Input should be a valid integer"),
    ('{"type": "ping", "id": true}', "id: Input should be a valid integer"),
    ('{"type": "set_weight", "layer": 0, "row": 0, "col": 0, "value": "1"}', "value"),
    ('{"type": "add_row", "x": [0, "1"], "y": 0}', "x.1"),
    ('{"type": "configure", "changes": {"lr": "0.1"}}', "lr: Input should be a valid number"),
    ('{"type": "configure", "changes": {"seed": true}}', "seed: Input should be a valid int"),
    ('{"type": "configure", "changes": {"points": 3.5}}', "points"),
])
def test_bad_message_gets_one_error_reply_and_the_session_lives_on(talk, raw, words):
    reply = talk.send_raw(raw)
    assert reply["type"] == "error" and words in reply["error"], reply
    assert talk.ask("ping")["ok"] is True
    assert talk.ask("step")["status"]["step"] == 1


def test_strict_numbers_still_take_json_numbers(talk):
    assert talk.ask("configure", changes={"lr": 1, "hidden": [3, 2]})["config"]["lr"] == 1.0
    assert talk.ask("set_weight", layer=0, row=0, col=0, value=2)["ok"]


def huge_weights(session):
    """Every weight of a deep ReLU regression network at the largest value a page can set
    (under the session's lock: the worker's thread may be building a frame of it)."""
    with session.lock:
        session.configure(session.config.updated({"dataset": "sine", "hidden": (32,) * 6,
                                                  "activation": "relu", "loss": "mse"}))
        for p in session.network.parameters():
            p.array[...] = 1000.0
        session._weights_changed()


def test_predict_with_the_largest_weights_and_input_replies_the_engines_output(app, talk):
    """The biggest network at the largest weights and input a page can set outputs about
    1.07e36, still a float32. Rounded to 6 decimals (times 1e6 in float32) it overflowed and
    was sent as null with the non-finite note; it travels as the engine's number now."""
    session = session_of(app, talk)
    huge_weights(session)
    reply = talk.ask("predict", x=[1e6])
    assert reply["ok"] and "note" not in reply, reply
    with session.lock:
        out = session.network.outputs(np.asarray([[1e6]], np.float32))[0]
    assert np.isfinite(out).all() and np.float32(reply["output"][0]) == out[0]


def test_trace_that_overflows_float32_is_strict_json(app, talk):
    huge_weights(session_of(app, talk))
    reply = talk.ask("trace", index=0)
    assert reply["ok"] and reply["note"] == NON_FINITE_NOTE


def test_frames_after_a_step_with_huge_weights_are_strict_json(app, talk):
    huge_weights(session_of(app, talk))
    talk.frames.clear()
    talk.ask("step")
    assert talk.frame_where(lambda f: f["status"]["diverged"] is not None)
    assert talk.ask("reset")["ok"]
    assert talk.frame_where(lambda f: f["status"]["diverged"] is None)


def test_non_finite_numbers_are_sent_as_null_with_a_note():
    text = encode({"type": "frame", "space": {"grid": [[1.0, math.inf], [-math.inf, math.nan]]},
                   "status": {"train_loss": math.inf}})
    assert strict_json(text) == {"type": "frame", "space": {"grid": [[1.0, None], [None, None]]},
                                 "status": {"train_loss": None}, "note": NON_FINITE_NOTE}


def test_frame_that_cannot_be_built_is_logged_and_the_pump_recovers(talk, monkeypatch,
                                                                    caplog):
    real_build, failures = frames.FrameTracker.build, []

    def build_failing_once(self, session):
        if not failures:
            failures.append(1)
            raise RuntimeError("a bug while building a frame")
        return real_build(self, session)

    monkeypatch.setattr(frames.FrameTracker, "build", build_failing_once)
    with caplog.at_level(logging.ERROR, logger="backproplab.lab"):
        talk.ask("step")
        frame = talk.frame_where(lambda f: f["status"]["step"] == 1)
    assert failures and "a bug while building a frame" in caplog.text
    assert "Traceback" in caplog.text
    assert frame["status"]["step"] == 1 and "space" in frame and "structure" in frame


def csv_of(rows) -> str:
    return "x1,x2,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)


def post_csv(client, talk, content):
    return client.post(f"/api/csv?session={talk.welcome['session']}", content=content)


@pytest.mark.parametrize("content, words", [
    (csv_of([(1, 2, 0), (3, 1e38, 1)] * 10), "line 3, column 2 ('x2'): '1e+38' is outside"),
    (csv_of([(1, 2, 0), (1e308, 1, 1)] * 10), "line 3, column 1 ('x1'): '1e+308' is outside"),
    (csv_of([(1, 2, 0), (3, 4, 1)]) + "5," + "9" * 140_000 + ",1\n", "line 4: field larger"),
    (csv_of([(1, 2, 0)]).encode() + b"1,\xff,0\n", "line 3, column 3 (byte 0xff)"),
    ("x1,x2,label\n1,2,0\n1,2\n", "line 3: expected 3 fields"),
    ("x1,x2,x3,label\n" + "1,2,3,0\n" * 10, "1 or 2 input columns"),
])
def test_csv_failures_are_400_naming_line_and_column_and_change_nothing(app, client, talk,
                                                                       content, words):
    talk.ask("step")
    session = session_of(app, talk)
    before = (session.points, session.config, session.network.model, session.step_count)
    response = post_csv(client, talk, content)
    assert response.status_code == 400 and words in response.json()["error"], response.text
    assert "upload.csv" in response.json()["error"] or "input columns" in words
    assert (session.points, session.config, session.network.model,
            session.step_count) == before
    assert talk.ask("reset")["ok"] and talk.ask("step")["status"]["step"] == 1


def test_csv_whose_task_does_not_fit_the_loss_switches_the_loss_and_says_so(client, talk):
    assert talk.ask("configure", changes={"loss": "bce"})["ok"]
    response = post_csv(client, talk, csv_of((i % 7, i % 5, i % 3) for i in range(30)))
    assert response.status_code == 200, response.text
    assert "switched from bce to cross_entropy" in response.json()["note"]
    assert talk.ask("reset")["ok"]
    status = talk.ask("step")["status"]
    assert status["step"] == 1 and status["diverged"] is None
    assert talk.frame_where(lambda f: f["status"]["step"] == 1)
    assert talk.ask("export", what="spec")["ok"]
