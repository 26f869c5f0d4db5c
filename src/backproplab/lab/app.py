"""The lab's Starlette application: the page, its static files, the WebSocket and CSV import.

One WebSocket connection is one session, which lives in a worker
(:mod:`~backproplab.lab.worker_pool`): this process only validates each message
(``protocol.parse_message``, a bad one is answered here), routes it to the session's worker and
streams the worker's replies and frames back, so training never holds up the event loop. Each
message gets exactly one reply. While the app runs (its lifespan), a background task sweeps out
idle sessions. Every request passes :mod:`~backproplab.lab.security` first (Host allow-list,
Origin, token, security headers), so a web page elsewhere cannot drive a local lab.
"""

import asyncio
import contextlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from backproplab.lab import limits, protocol
from backproplab.lab.security import Access, AccessMiddleware
from backproplab.lab.session_pool import PoolFull
from backproplab.lab.worker_pool import EVICTED, WorkerPool

STATIC = Path(__file__).parent / "static"


async def _sweep_idle(lab: WorkerPool, every: float) -> None:
    """Close idle sessions every ``every`` seconds; their sockets then tell the page."""
    while True:
        await asyncio.sleep(every)
        lab.sweep()


async def _stream(ws: WebSocket, route, lab: WorkerPool) -> None:
    """Send the route's outbox to the socket; tell the worker when a frame has left."""
    while True:
        text, detail = await route.outbox.get()
        if text is EVICTED:
            await ws.send_text(protocol.encode(protocol.error_reply(None, detail)))
            await ws.close(code=1001)
            return
        await ws.send_text(text)
        if detail:
            lab.frame_sent(route)


def create_app(workers: int = 0, access: Access | None = None, *,
               max_sessions: int = limits.MAX_SESSIONS,
               idle_seconds: float = limits.SESSION_IDLE_SECONDS,
               sweep_seconds: float = limits.IDLE_SWEEP_SECONDS, new_session=None) -> Starlette:
    """The lab's app; ``app.state.lab`` is its :class:`WorkerPool`.

    ``workers=0`` keeps sessions in this process (one worker thread), ``workers=N`` in N
    worker processes. ``access`` defaults to a loopback server's rules: Host localhost,
    127.0.0.1 or [::1], same-origin browser requests, no token. ``new_session(config)`` makes
    the ``Session`` of each connection in an in-process lab (a notebook's own model)."""
    options = {} if new_session is None else {"new_session": new_session}
    lab = WorkerPool(workers, max_sessions, idle_seconds, **options)
    access = Access.for_server() if access is None else access

    @contextlib.asynccontextmanager
    async def lifespan(app):
        lab.start()
        sweeper = asyncio.create_task(_sweep_idle(lab, sweep_seconds))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await asyncio.to_thread(lab.stop)

    async def index(request: Request):
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def lab_socket(ws: WebSocket):
        await ws.accept()
        try:
            route = lab.open()
        except PoolFull as e:
            await ws.send_text(protocol.encode(protocol.error_reply(None, str(e))))
            await ws.close(code=1013)
            return
        stream = asyncio.create_task(_stream(ws, route, lab))
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                try:
                    msg = protocol.parse_message(raw)
                except protocol.ProtocolError as e:
                    route.touch()
                    route.outbox.put_nowait(
                        (protocol.encode(protocol.error_reply(e.id, str(e))), False))
                    continue
                lab.message(route, msg)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            lab.close(route)
            stream.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await stream

    async def import_csv(request: Request):
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > limits.MAX_CSV_BYTES:
                return JSONResponse({"ok": False, "error": f"the CSV file is larger than "
                                     f"{limits.MAX_CSV_BYTES} bytes"}, 413)
        status, answer = await lab.import_csv(request.query_params.get("session", ""), body)
        return JSONResponse(answer, status)

    app = Starlette(lifespan=lifespan, middleware=[Middleware(AccessMiddleware, access=access)],
                    routes=[
                        Route("/", index),
                        Route("/api/csv", import_csv, methods=["POST"]),
                        WebSocketRoute("/ws", lab_socket),
                        Mount("/static", StaticFiles(directory=STATIC), name="static"),
                    ])
    app.state.lab = lab
    return app
