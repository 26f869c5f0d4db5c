"""A WebSocket fuzz: 10,000 malformed messages (seeded mutations of valid ones), each answered by
exactly one error reply, and a session that works as before afterwards."""

import asyncio
import json
import random

import pytest

pytest.importorskip("starlette")

from backproplab.lab import create_app, limits
from backproplab.lab.protocol import ProtocolError, parse_message

N_MESSAGES = 10_000
BATCH = 200

VALID = [
    {"type": "configure", "changes": {"lr": 0.1, "hidden": [3, 2]}},
    {"type": "configure", "query": "dataset=moons&points=50"},
    {"type": "step", "unit": "epoch"},
    {"type": "select", "index": 1},
    {"type": "set_weight", "layer": 0, "row": 1, "col": 0, "value": 0.5},
    {"type": "predict", "x": [0.2, 0.8]},
    {"type": "add_row", "x": [0.1, 0.2], "y": 1, "test": False},
    {"type": "set_row", "index": 0, "x": [0.1, 0.2], "y": 0},
    {"type": "delete_row", "index": 0},
    {"type": "table_page", "page": 0},
    {"type": "trace", "index": 2},
    {"type": "export", "what": "spec"},
    {"type": "descend", "function": "rosenbrock", "start": [-1.5, 2.0], "lr": 0.01},
    {"type": "ping"},
]
WRONG_VALUES = ["1", "", True, False, None, [], {}, [[[]]], -1, 10**30, 1e308, -1e308,
                "x" * 300, {"type": "ping"}, [1, 2, 3, 4, 5], 0.5]
# Messages a valid parse still refuses in the session: rows, layers and pages out of range.
REFUSED_BY_THE_SESSION = [
    {"type": "select", "index": 4000}, {"type": "trace", "index": 4999},
    {"type": "delete_row", "index": 77}, {"type": "set_row", "index": 9, "x": [0, 0], "y": 1},
    {"type": "set_weight", "layer": 5, "row": 0, "col": 0, "value": 1},
    {"type": "set_weight", "layer": 0, "row": 40, "col": 0, "value": 1},
    {"type": "predict", "x": [1.0]}, {"type": "add_row", "x": [0.0], "y": 0},
    {"type": "configure", "changes": {"lr": 0.1}, "query": "lr=0.1"},
    {"type": "configure", "changes": {"nope": 1}}, {"type": "configure", "query": "hidden=99"},
    {"type": "descend", "function": "nowhere", "start": [0.0], "lr": 0.1},
]


def mutated(rng: random.Random) -> str | bytes:
    """One message: a valid one broken in one of many ways."""
    msg = dict(rng.choice(VALID))
    text = json.dumps(msg)
    kind = rng.randrange(12)
    if kind == 0:
        return text[:rng.randrange(len(text))]
    if kind == 1:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice('{}[]",:\\0x-e.') + text[i + 1:]
    if kind == 2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
    if kind == 3:
        field = rng.choice(list(msg))
        msg[field] = rng.choice(WRONG_VALUES)
    elif kind == 4:
        msg[rng.choice(["extra", "Type", "id2", "__proto__"])] = rng.choice(WRONG_VALUES)
    elif kind == 5 and len(msg) > 1:
        del msg[rng.choice([k for k in msg if k != "type"])]
    elif kind == 6:
        depth = rng.choice([limits.MAX_MESSAGE_DEPTH + 1, 1000, 1500])
        return '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}"
    elif kind == 7:
        msg["type"] = rng.choice(["", "PING", "ping ", "teleport", "frame", "welcome", 7])
    elif kind == 8:
        return json.dumps(rng.choice([[msg], "ping", 3, None, True, [], 1e400]))
    elif kind == 9:
        msg["id"] = rng.choice(["7", True, 1.5, 2**60, -(2**60), [1], "1" * 5000])
    elif kind == 10:
        return text.replace("0.", rng.choice(["NaN", "Infinity", "-Infinity", "1e999"]), 1)
    else:
        return json.dumps({**rng.choice(REFUSED_BY_THE_SESSION), "id": rng.randrange(10**6)})
    return json.dumps(msg)


def malformed_messages(n: int, seed: int = 0) -> list:
    """``n`` messages that are all refused: by the parser, or (a few) by the session."""
    rng, out = random.Random(seed), []
    refused = [parse_message(json.dumps(m)) for m in REFUSED_BY_THE_SESSION]
    while len(out) < n:
        raw = mutated(rng)
        try:
            msg = parse_message(raw)
        except ProtocolError:
            out.append(raw)
            continue
        if msg.model_copy(update={"id": None}) in refused:
            out.append(raw)
    oversized = json.dumps({"type": "ping", "pad": "x" * (limits.MAX_MESSAGE_BYTES + 1)})
    return out[:-10] + [oversized] * 10


class AsgiSocket:
    """A WebSocket to an ASGI app driven on this event loop, with no network and no threads
    between the two ends: 10,000 round trips take seconds, not a minute as over TestClient."""

    def __init__(self, app):
        self.app = app
        self.to_app: asyncio.Queue = asyncio.Queue()
        self.from_app: asyncio.Queue = asyncio.Queue()

    async def connect(self) -> None:
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": "/ws",
                 "raw_path": b"/ws", "root_path": "", "query_string": b"",
                 "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 80), "subprotocols": []}
        await self.to_app.put({"type": "websocket.connect"})
        self.task = asyncio.create_task(self.app(scope, self.to_app.get, self.from_app.put))
        assert (await self.from_app.get())["type"] == "websocket.accept"

    async def send(self, raw) -> None:
        key = "text" if isinstance(raw, str) else "bytes"
        await self.to_app.put({"type": "websocket.receive", key: raw})

    async def receive(self) -> dict:
        message = await asyncio.wait_for(self.from_app.get(), timeout=30)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def replies(self, count: int) -> list:
        """The next ``count`` messages that are not frames."""
        out = []
        while len(out) < count:
            if (msg := await self.receive())["type"] != "frame":
                out.append(msg)
        return out

    async def ask(self, **msg) -> dict:
        await self.send(json.dumps(msg))
        return (await self.replies(1))[0]

    async def close(self) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        await self.task


async def lifespan(app, event: str) -> None:
    """Run the app's lifespan startup (or shutdown) as a server would."""
    if event == "startup":
        app._lifespan_in, app._lifespan_out = asyncio.Queue(), asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        app._lifespan = asyncio.create_task(app(scope, app._lifespan_in.get,
                                                app._lifespan_out.put))
    await app._lifespan_in.put({"type": f"lifespan.{event}"})
    assert (await app._lifespan_out.get())["type"] == f"lifespan.{event}.complete"


async def fuzz(messages: list) -> None:
    app = create_app()
    await lifespan(app, "startup")
    ws = AsgiSocket(app)
    await ws.connect()
    assert (await ws.receive())["type"] == "welcome"
    for start in range(0, len(messages), BATCH):
        batch = messages[start:start + BATCH]
        for raw in batch:
            await ws.send(raw)
        answers = await ws.replies(len(batch))
        assert all(a["type"] == "error" and a["ok"] is False and a["error"] for a in answers), \
            [a for a in answers if a["type"] != "error"][:3]
        assert await ws.ask(type="ping", id=-start - 1) == {"type": "reply", "id": -start - 1,
                                                            "ok": True}
    assert (await ws.ask(type="step", id=1))["status"]["step"] == 1
    assert (await ws.ask(type="play", id=2))["status"]["playing"]
    while (msg := await ws.receive())["type"] != "frame" or msg["status"]["step"] < 20:
        pass
    assert (await ws.ask(type="pause", id=3))["status"]["playing"] is False
    assert "import backproplab" in (await ws.ask(type="export", id=4, what="python"))["text"]
    await ws.close()
    await lifespan(app, "shutdown")


def test_ten_thousand_malformed_messages_get_one_error_each_and_the_session_lives_on():
    messages = malformed_messages(N_MESSAGES)
    assert len(messages) == N_MESSAGES
    asyncio.run(fuzz(messages))
