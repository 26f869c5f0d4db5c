"""Sessions in worker processes: the same conversation as in-process, sessions spread over the
workers, the 33rd connection refused at once, a dead worker's pages told, and two servers on
loopback serving one client's sessions side by side (the reverse-proxy setup)."""

import contextlib
import json
import os
import signal
import time
import warnings

import httpx
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from backproplab.lab import create_app, make_server
from tests.lab_thread import free_port, running

websockets_client = pytest.importorskip("websockets.sync.client")

CSV = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(30))


class Conversation:
    """One reply per message (frames are kept aside), over a TestClient or websockets socket."""

    def __init__(self, receive, send):
        self.receive, self.send = receive, send
        self.next_id = 0
        self.frames = []
        self.welcome = json.loads(receive())

    def ask(self, type_: str, **fields) -> dict:
        self.next_id += 1
        self.send(json.dumps({"type": type_, "id": self.next_id, **fields}))
        reply = self.reply()
        assert reply["id"] == self.next_id, reply
        return reply

    def reply(self) -> dict:
        while (msg := json.loads(self.receive()))["type"] == "frame":
            self.frames.append(msg)
        return msg

    def frame_where(self, test) -> dict:
        while not (msg := json.loads(self.receive()))["type"] == "frame" or not test(msg):
            pass
        return msg


def over_testclient(ws) -> Conversation:
    return Conversation(ws.receive_text, ws.send_text)


@pytest.fixture(scope="module")
def app():
    """One lab with two worker processes for the whole module: starting one takes seconds."""
    return create_app(workers=2, max_sessions=3)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def test_a_session_in_a_worker_process_answers_trains_and_imports(client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        talk = over_testclient(ws)
        assert talk.welcome["type"] == "welcome"
        assert talk.ask("step")["status"]["step"] == 1
        assert "malformed JSON" in (ws.send_text("{oops"), talk.reply())[1]["error"]
        assert talk.ask("play")["status"]["playing"]
        assert talk.frame_where(lambda f: f["status"]["step"] > 30)
        assert talk.ask("pause")["status"]["playing"] is False
        response = client.post(f"/api/csv?session={talk.welcome['session']}", content=CSV)
        assert response.json() == {"ok": True, "rows": 30}
        assert talk.ask("select", index=29)["ok"]
    assert client.post("/api/csv?session=nope", content=CSV).status_code == 404


def test_sessions_are_spread_over_the_workers(app, client):
    lab = app.state.lab
    with client.websocket_connect("ws://127.0.0.1/ws") as a, \
            client.websocket_connect("ws://127.0.0.1/ws") as b:
        ids = [over_testclient(ws).welcome["session"] for ws in (a, b)]
        assert lab.routes[ids[0]].worker is not lab.routes[ids[1]].worker
        assert lab.session(ids[0]) is None  # the Session objects live in the workers


def test_the_connection_past_the_limit_is_refused_at_once(client):
    with contextlib.ExitStack() as stack:
        for _ in range(3):
            talk = over_testclient(stack.enter_context(
                client.websocket_connect("ws://127.0.0.1/ws")))
            talk.ask("play")
        started = time.monotonic()
        with client.websocket_connect("ws://127.0.0.1/ws") as fourth:
            refusal = fourth.receive_json()
            with pytest.raises(WebSocketDisconnect) as info:
                fourth.receive_json()
        assert time.monotonic() - started < 1.0
        assert "at most 3 sessions" in refusal["error"] and info.value.code == 1013


def test_frames_reach_the_page_exactly_as_the_worker_process_built_them(app, client,
                                                                       monkeypatch):
    lab, built = app.state.lab, []
    on_events = lab._on_events

    def record(events):  # what came down the pipe, before the web process touched it
        built.extend((e[1], e[2]) for e in events if e[0] == "text" and e[3])
        on_events(events)

    monkeypatch.setattr(lab, "_on_events", record)
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        talk = over_testclient(ws)
        talk.ask("play")
        received = []
        while len(received) < 5:
            text = ws.receive_text()
            if text.startswith('{"type":"frame"'):
                received.append(text)
        talk.ask("pause")
    # this session's frames (the module's other sessions may share the worker and play on)
    built = [text for sid, text in built if sid == talk.welcome["session"]]
    start = built.index(received[0])  # the same text: not decoded, nor encoded again
    assert received == built[start:start + 5]
    assert all(json.loads(text)["type"] == "frame" for text in received)


def test_messages_sent_together_are_answered_in_order(client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        talk = over_testclient(ws)
        for n in range(1, 41):  # one turn of the event loop's commands go as one batch
            ws.send_text(json.dumps({"type": "step" if n % 2 else "select", "id": n,
                                     **({} if n % 2 else {"index": n % 4})}))
        replies = [talk.reply() for _ in range(40)]
        assert [r["id"] for r in replies] == list(range(1, 41))
        assert all(r["ok"] for r in replies) and replies[-2]["status"]["step"] == 20


def test_a_dead_worker_tells_its_pages_and_is_replaced(app, client):
    with client.websocket_connect("ws://127.0.0.1/ws") as ws:
        talk = over_testclient(ws)
        assert talk.ask("step")["ok"]
        worker = app.state.lab.routes[talk.welcome["session"]].worker
        os.kill(worker._process.pid, signal.SIGKILL)
        assert "worker process stopped" in talk.reply()["error"]
    assert worker not in app.state.lab.workers
    for _ in range(2):  # one of them lands on the new worker
        with client.websocket_connect("ws://127.0.0.1/ws") as ws:
            assert over_testclient(ws).ask("step")["status"]["step"] == 1


@pytest.fixture
def two_servers():
    servers = [make_server("127.0.0.1", free_port()) for _ in range(2)]
    with running(*servers):
        yield [s.config.port for s in servers]


def test_two_servers_on_loopback_serve_one_client_spread_across_both(two_servers):
    """Each WebSocket is self-contained, so a proxy may send each page to any server."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(websockets_client.connect(
            f"ws://127.0.0.1:{two_servers[i % 2]}/ws")) for i in range(6)]
        talks = [Conversation(ws.recv, ws.send) for ws in sockets]
        for n, talk in enumerate(talks):
            for _ in range(n + 1):
                talk.ask("step")
        for n, talk in enumerate(talks):
            assert talk.ask("ping")["ok"] and talk.ask("step")["status"]["step"] == n + 2
        assert len({t.welcome["session"] for t in talks}) == 6
        other = talks[1].welcome["session"]  # a session of the second server
        assert httpx.post(f"http://127.0.0.1:{two_servers[0]}/api/csv?session={other}",
                          content=CSV).status_code == 404
        assert httpx.post(f"http://127.0.0.1:{two_servers[1]}/api/csv?session={other}",
                          content=CSV).json()["rows"] == 30


def test_stopping_the_lab_ends_its_workers_without_starting_replacements():
    """A worker's end while the lab stops is no death to repair (that used to start a new
    worker process per stopped one, and the stop then waited for each)."""
    import asyncio
    import multiprocessing

    from backproplab.lab.worker_pool import WorkerPool

    async def start_and_stop():
        pool = WorkerPool(2)
        pool.start()
        processes = [w._process for w in pool.workers]
        await asyncio.sleep(0.5)
        await asyncio.to_thread(pool.stop)  # as the app's lifespan does
        await asyncio.sleep(0.5)  # the readers' "died" events reach the loop
        return pool, processes

    before = {p.pid for p in multiprocessing.active_children()}  # the module's own lab's
    pool, processes = asyncio.run(start_and_stop())
    assert pool.workers == [] and not any(p.is_alive() for p in processes)
    assert not [p for p in multiprocessing.active_children() if p.pid not in before]
