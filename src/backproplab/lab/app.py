"""The lab's Starlette application: the page, its static files, the WebSocket and CSV import.

One WebSocket connection is one session. Messages are handled in a worker thread and each
gets exactly one reply; a separate pump sends frames (at most
``limits.MAX_FRAMES_PER_SECOND``) whenever the session changed. While the app runs (its
lifespan), a background task sweeps out idle sessions. Upgrades and uploads from another
origin are refused, so a web page elsewhere cannot drive a local lab.
"""

import asyncio
import contextlib
import logging
from pathlib import Path
from urllib.parse import urlsplit

import numpy
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from backproplab import __version__, data, nn, train
from backproplab.lab import config as lab_config
from backproplab.lab import limits
from backproplab.lab.descent import COMPARED_OPTIMIZERS, function_choices
from backproplab.lab.frames import FrameTracker
from backproplab.lab.handlers import handle
from backproplab.lab.lessons.engine import catalogue as lesson_catalogue
from backproplab.lab.player import Player
from backproplab.lab.point_set import PointSet
from backproplab.lab.protocol import MESSAGE_TYPES, encode, error_reply
from backproplab.lab.session_pool import PoolFull, SessionPool

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def same_origin(headers) -> bool:
    """True when the request has no Origin (not a browser) or comes from this server's host."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


def welcome(session) -> dict:
    """The first message of a connection: the choices the page offers and the limits."""
    return {
        "type": "welcome",
        "version": __version__,
        "session": session.id,
        "choices": {
            "datasets": list(lab_config.TRAIN_DATASETS),
            "autoencoder_datasets": list(lab_config.AUTOENCODER_DATASETS),
            "summaries": {n: data.DATASETS[n].summary for n in data.DATASETS},
            "activations": list(lab_config.HIDDEN_ACTIVATIONS),
            "losses": list(lab_config.LOSSES),
            "optimizers": list(train.OPTIMIZERS),
            "compared_optimizers": list(COMPARED_OPTIMIZERS),
            "descent_functions": function_choices(),
            "presets": lab_config.DATASET_PRESETS,
            "defaults": lab_config.LabConfig().model_dump(),
            "all_activations": list(nn.ACTIVATIONS),
            "lessons": lesson_catalogue(),
        },
        "limits": {name: getattr(limits, name) for name in dir(limits) if name.isupper()},
        "messages": list(MESSAGE_TYPES),
    }


class FrameSource:
    """One connection's frames as strict JSON text. A frame that cannot be built is a bug: it
    is logged with its traceback and the tracker starts afresh, so the next change sends the
    page everything again instead of ending its frames for good."""

    def __init__(self, session):
        self.session = session
        self.tracker = FrameTracker()

    def next_text(self) -> str | None:
        """The next frame, or None when nothing changed (or it could not be built)."""
        try:
            with numpy.errstate(over="ignore", invalid="ignore"):
                frame = self.tracker.build(self.session)
        except Exception:
            log.exception("lab: the frame for session %s could not be built",
                          self.session.id[:6])
            self.tracker = FrameTracker()
            return None
        return None if frame is None else encode(frame)


async def _pump(ws: WebSocket, session, send) -> None:
    frames = FrameSource(session)
    loop = asyncio.get_running_loop()
    interval = 1.0 / limits.MAX_FRAMES_PER_SECOND
    while not session.evicted:
        started = loop.time()
        text = await asyncio.to_thread(frames.next_text)
        if text is not None:
            await send(text)
        await asyncio.sleep(max(0.0, interval - (loop.time() - started)))
    await send(encode(error_reply(None, "this session was closed after being idle; "
                                        "reload the page to start again")))
    await ws.close(code=1001)


async def _sweep_idle(pool: SessionPool, every: float) -> None:
    """Close idle sessions every ``every`` seconds; their pumps then close the sockets."""
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(pool.sweep)


def create_app(pool: SessionPool | None = None,
               sweep_seconds: float = limits.IDLE_SWEEP_SECONDS,
               frame_ancestors: tuple[str, ...] = ()) -> Starlette:
    """``frame_ancestors``: origins (CSP sources, e.g. ``http://127.0.0.1:*``) whose pages may
    show the lab in a frame, as a notebook does; by default only the lab's own pages may."""
    pool = SessionPool() if pool is None else pool  # an empty pool is falsy
    page_headers = {"Cache-Control": "no-cache", "Content-Security-Policy":
                    "frame-ancestors " + " ".join(("'self'", *frame_ancestors))}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        sweeper = asyncio.create_task(_sweep_idle(pool, sweep_seconds))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    async def index(request: Request):
        return FileResponse(STATIC / "index.html", headers=page_headers)

    async def lab_socket(ws: WebSocket):
        if not same_origin(ws.headers):
            await ws.close(code=1008)  # before accept: the upgrade is answered with 403
            return
        await ws.accept()
        try:
            session = pool.open()
        except PoolFull as e:
            await ws.send_json(error_reply(None, str(e)))
            await ws.close(code=1013)
            return
        lock = asyncio.Lock()

        async def send(text: str) -> None:
            async with lock:
                await ws.send_text(text)

        player = Player(session)
        await send(encode(welcome(session)))
        pump = asyncio.create_task(_pump(ws, session, send))
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                reply = await asyncio.to_thread(handle, raw, session, player)
                await send(encode(reply))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            await asyncio.to_thread(player.stop)
            pool.close(session)

    async def import_csv(request: Request):
        if not same_origin(request.headers):
            return JSONResponse({"ok": False, "error": "cross-origin request refused"}, 403)
        session = pool.get(request.query_params.get("session", ""))
        if session is None:
            return JSONResponse({"ok": False, "error": "unknown session"}, 404)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > limits.MAX_CSV_BYTES:
                return JSONResponse({"ok": False, "error": f"the CSV file is larger than "
                                     f"{limits.MAX_CSV_BYTES} bytes"}, 413)
        try:
            points = await asyncio.to_thread(PointSet.from_csv, body,
                                             session.config.test_fraction,
                                             session.config.data_seed)
            note = await asyncio.to_thread(session.load_points, points)
        except (ValueError, TypeError) as e:
            return JSONResponse({"ok": False, "error": str(e)}, 400)
        session.touch()
        answer = {"ok": True, "rows": len(points)}
        return JSONResponse(answer if note is None else {**answer, "note": note})

    return Starlette(lifespan=lifespan, routes=[
        Route("/", index),
        Route("/api/csv", import_csv, methods=["POST"]),
        WebSocketRoute("/ws", lab_socket),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
