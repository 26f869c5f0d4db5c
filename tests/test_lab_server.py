"""The lab's server over a real WebSocket: one reply per message, errors for bad ones,
origin checks, exports that load back, CSV import."""

import base64
import json
import time
import warnings

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # newer Starlette prefers httpx2 but still works with httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import backproplab as bp
from backproplab.lab import create_app, limits


@pytest.fixture
def client():
    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        yield c


class Conversation:
    """Sends messages with ids and returns the one reply to each, skipping frames."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.welcome = ws.receive_json()
        self.frames = []

    def send_raw(self, raw) -> dict:
        if isinstance(raw, bytes):
            self.ws.send_bytes(raw)
        else:
            self.ws.send_text(raw)
        return self._reply()

    def ask(self, type_: str, **fields) -> dict:
        self.next_id += 1
        self.ws.send_json({"type": type_, "id": self.next_id, **fields})
        reply = self._reply()
        assert reply["id"] == self.next_id
        return reply

    def _reply(self) -> dict:
        while True:
            msg = self.ws.receive_json()
            if msg["type"] == "frame":
                self.frames.append(msg)
            else:
                return msg


@pytest.fixture
def talk(client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        yield Conversation(ws)


def test_page_and_static_files_are_served(client):
    assert client.get("/").status_code == 200
    assert "text/html" in client.get("/").headers["content-type"]


def test_welcome_lists_choices_and_limits(talk):
    assert talk.welcome["type"] == "welcome"
    assert "xor" in talk.welcome["choices"]["datasets"]
    assert talk.welcome["limits"]["MAX_NEURONS"] == limits.MAX_NEURONS


@pytest.mark.parametrize("raw, words", [
    ("{not json", "malformed JSON"),
    ('{"type": "teleport"}', "unknown message type"),
    ('{"type": "configure", "changes": {"lr": 1000}}', "lr"),
    ('{"type": "configure", "changes": {"hidden": [64]}}', "hidden"),
    ('{"type": "select", "index": 4999}', "no row"),
    ('{"type": "set_weight", "layer": 0, "row": 9, "col": 0, "value": 1}', "no weight"),
    (json.dumps({"type": "ping", "pad": "x" * (limits.MAX_MESSAGE_BYTES + 10)}), "too large"),
    (b"\x00\x01", "malformed JSON"),
])
def test_bad_messages_get_one_error_reply_and_the_session_lives_on(talk, raw, words):
    reply = talk.send_raw(raw)
    assert reply["type"] == "error" and words in reply["error"]
    assert talk.ask("ping")["ok"] is True


def test_every_message_gets_exactly_one_reply(talk):
    for msg in [("step", {}), ("select", {"index": 1}), ("predict", {"x": [0.2, 0.8]}),
                ("configure", {"changes": {"lr": 0.1}}), ("reset", {}), ("pause", {}),
                ("table_page", {"page": 0})]:
        assert talk.ask(msg[0], **msg[1])["type"] == "reply"


def test_step_advances_exactly_one_step(talk):
    assert talk.ask("step", unit="batch")["status"]["step"] == 1
    assert talk.ask("step", unit="batch")["status"]["step"] == 2


def test_play_trains_and_pause_stops(talk):
    talk.ask("play")
    seen = 0
    while seen < 20:
        msg = talk.ws.receive_json()
        if msg["type"] == "frame":
            seen += 1
    status = talk.ask("pause")["status"]
    assert status["step"] > 0 and not status["playing"]


def test_frames_carry_the_heatmap_only_when_weights_change(talk):
    talk.ask("step")
    # The heatmap is the frames' slow part: it may come a moment after the step's reply
    # (its time share), but a paused page must get it.
    deadline = time.monotonic() + 10
    while not any("space" in f for f in talk.frames):
        assert time.monotonic() < deadline, "the heatmap of the new weights never came"
        time.sleep(0.05)
        talk.ask("ping")
    talk.ask("select", index=2)
    talk.ask("ping")
    later = talk.frames[-1]
    assert "selected" in later or "space" not in later


def test_idle_session_is_closed_by_the_periodic_sweep():
    app = create_app(idle_seconds=0.3, sweep_seconds=0.05)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        with client.websocket_connect("ws://127.0.0.1/ws") as ws:
            talk = Conversation(ws)
            talk.ask("play")
            session = app.state.lab.session(talk.welcome["session"])
            while (msg := ws.receive_json())["type"] != "error":
                pass
            assert "idle" in msg["error"]
            with pytest.raises(WebSocketDisconnect):
                ws.receive_json()
        assert len(app.state.lab) == 0
        wait_until(lambda: app.state.lab.session(session.id) is None)
    assert not session.playing


def wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_url_query_configures_the_session(talk):
    reply = talk.ask("configure", query="dataset=moons&points=120&hidden=5,3&lr=0.03")
    assert reply["config"]["hidden"] == [5, 3]
    assert reply["query"] == "dataset=moons&points=120&hidden=5%2C3&lr=0.03"


def test_exported_safetensors_and_spec_load_back(talk, tmp_path):
    for _ in range(5):
        talk.ask("step")
    data = talk.ask("export", what="safetensors")
    path = tmp_path / data["filename"]
    path.write_bytes(base64.b64decode(data["base64"]))
    model = bp.load(path)
    spec = json.loads(talk.ask("export", what="spec")["text"])
    twin = bp.nn.from_spec(spec)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        assert a.array.tolist() == b.array.tolist()
    assert bp.load_metadata(path)["lab_query"] == ""


def test_exported_python_reproduces_the_run(talk):
    for _ in range(20):
        talk.ask("step", unit="epoch")
    code = talk.ask("export", what="python")["text"]
    spec = json.loads(talk.ask("export", what="spec")["text"])
    namespace = {"__name__": "reproduce"}
    exec(compile(code, "reproduce.py", "exec"), namespace)
    assert bp.nn.to_spec(namespace["model"]) == spec


def test_exported_csv_and_history(talk, tmp_path):
    talk.ask("step")
    path = tmp_path / "data.csv"
    path.write_text(talk.ask("export", what="csv")["text"])
    assert len(bp.data.load_csv(path)) == 4
    history = json.loads(talk.ask("export", what="history")["text"])
    assert history["epoch"] == [1]


def test_descend_reply_is_the_library_path_of_the_chosen_optimizer(talk):
    reply = talk.ask("descend", function="rosenbrock", start=[-1.5, 2.0], lr=0.01, steps=30,
                     optimizer="adam")
    expected = bp.explain.descend(bp.explain.rosenbrock, [-1.5, 2.0], 0.01, 30,
                                  optimizer="adam").to_dict()
    assert reply["path"] == json.loads(json.dumps(expected))
    sgd = talk.ask("descend", function="rosenbrock", start=[-1.5, 2.0], lr=0.01, steps=30)
    assert sgd["path"]["optimizer"] == "sgd" and sgd["path"]["points"] != expected["points"]


def test_trace_reply_carries_the_step_trace(talk):
    trace = talk.ask("trace", index=1)["trace"]
    assert trace["schema_version"] == 1 and trace["check"]["ok"]


def test_cross_origin_upgrade_is_refused(client):
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect(
            "ws://127.0.0.1/ws", headers={"origin": "http://evil.example"}):
        pass
    assert info.value.code == 1008


def test_same_origin_upgrade_is_accepted(client):
    with client.websocket_connect("ws://127.0.0.1/ws",
                                  headers={"origin": "http://127.0.0.1"}) as ws:
        assert ws.receive_json()["type"] == "welcome"


def test_csv_import_replaces_the_data(client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        talk = Conversation(ws)
        session = talk.welcome["session"]
        csv = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(30))
        response = client.post(f"/api/csv?session={session}", content=csv)
        assert response.json() == {"ok": True, "rows": 30}
        assert talk.ask("select", index=29)["ok"]


def test_csv_import_refuses_large_files_and_foreign_origins(client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        session = Conversation(ws).welcome["session"]
        big = b"1,2,0\n" * (limits.MAX_CSV_BYTES // 6 + 10)
        assert client.post(f"/api/csv?session={session}", content=big).status_code == 413
        foreign = client.post(f"/api/csv?session={session}", content=b"1,2,0\n",
                              headers={"origin": "http://evil.example"})
        assert foreign.status_code == 403
    assert client.post("/api/csv?session=nope", content=b"1,2,0\n").status_code == 404
