"""``WorkerPool``: the web process's side of the workers — it starts them, gives each new session
to the least busy one, routes messages in and text out, and evicts idle sessions.

The web process keeps no session state: a :class:`Route` says which worker holds a session,
when it was last used (for the idle sweep and the ``limits.MAX_SESSIONS`` count, decided
here so a refusal is immediate) and holds the queue its socket sends from. ``workers=0`` runs
one worker in a thread of this process (a notebook's kernel, the tests); ``workers=N`` starts N
processes (``spawn``: no fork of a threaded server), each with many sessions.
"""

import asyncio
import itertools
import multiprocessing
import os
import queue
import secrets
import signal
import threading
import time

from backproplab.lab import limits
from backproplab.lab.blas_threads import use_one_blas_thread
from backproplab.lab.freed_memory import keep_freed_memory
from backproplab.lab.session import Session
from backproplab.lab.session_pool import SessionPool
from backproplab.lab.workers import Worker

WORKER_NICENESS = 10
"""Worker processes run at a lower priority than the web process, so on a busy machine the
event loop (pings, page loads, refusals) gets the processor before training does."""

EVICTED = "evicted"
"""Put in a route's outbox when its session is closed by the server (idle, or its worker
stopped); the socket then sends the reason and closes."""


class Route:
    """What the web process knows of one session (see the module's docstring)."""

    def __init__(self, config=None, clock=time.monotonic):
        self.id = secrets.token_urlsafe(16)
        self.config = config
        self.lock = threading.RLock()
        self._clock = clock
        self.last_active = clock()
        self.evicted = False
        self.playing = False
        self.version = 0
        self.worker = None
        self.outbox: asyncio.Queue = asyncio.Queue()
        """(text, is_frame) pairs for the socket, or ``(EVICTED, reason)``."""

    def touch(self) -> None:
        self.last_active = self._clock()


class ThreadWorker:
    """A worker on a thread of this process: sessions are plain objects a notebook can reach."""

    def __init__(self, deliver, new_session=Session):
        self.load = 0
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.worker = Worker(lambda event: deliver([event]), new_session)
        self._thread = threading.Thread(target=self.worker.run, args=(self._receive,),
                                        name="lab-worker", daemon=True)

    def _receive(self, timeout: float | None):
        try:
            return self._inbox.get(timeout=timeout) if timeout != 0 else self._inbox.get_nowait()
        except queue.Empty:
            return None

    def start(self) -> None:
        self._thread.start()

    def send(self, command: tuple) -> None:
        self._inbox.put(command)

    def stop(self) -> None:
        self.send(("stop",))

    def join(self) -> None:
        self._thread.join(timeout=5)


def worker_main(conn) -> None:
    """A worker process's life: serve the commands on ``conn`` until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops us
    use_one_blas_thread()  # a spawned process starts with OpenBLAS's default threads
    keep_freed_memory()  # a frame's big arrays reuse freed memory instead of faulting pages in
    os.nice(WORKER_NICENESS)

    def receive(timeout: float | None):
        return conn.recv() if conn.poll(timeout) else None

    events: list = []

    def flush() -> None:  # the events of one unit of work go in one message
        if events:
            conn.send(events[:])
            events.clear()

    try:
        Worker(events.append, flush=flush).run(receive)
    except (EOFError, OSError, KeyboardInterrupt):  # the server went away
        pass


class ProcessWorker:
    """A worker process, with a thread that feeds it commands (so the event loop never
    blocks on a full pipe) and one that delivers its events. The commands of one turn of the
    event loop go to the thread, and down the pipe, as one batch: under load that is one
    thread wake-up and one pipe message for many frames' acknowledgements and messages."""

    def __init__(self, deliver, index: int, loop: asyncio.AbstractEventLoop):
        context = multiprocessing.get_context("spawn")
        self.load = 0
        self._deliver = deliver
        self._loop = loop
        self._batch: list = []
        self._conn, self._child_conn = context.Pipe()
        self._process = context.Process(target=worker_main, args=(self._child_conn,),
                                        name=f"lab-worker-{index}", daemon=True)
        self._outgoing: queue.SimpleQueue = queue.SimpleQueue()

    def start(self) -> None:
        # One BLAS thread per worker: the lab's matrices are small, and N workers on N cores
        # should not each start N threads.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
        self._process.start()
        self._child_conn.close()
        threading.Thread(target=self._send_loop, name="lab-worker-send", daemon=True).start()
        threading.Thread(target=self._receive_loop, name="lab-worker-recv", daemon=True).start()

    def send(self, command: tuple) -> None:
        """Queue ``command`` (on the event loop's thread); it leaves when this turn ends."""
        self._batch.append(command)
        if len(self._batch) == 1:
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        self._outgoing.put(("batch", batch))

    def _send_loop(self) -> None:
        while True:
            command = self._outgoing.get()
            try:
                self._conn.send(command)
            except (OSError, ValueError):
                return
            if command[0] == "stop":
                return

    def _receive_loop(self) -> None:
        while True:
            try:
                events = self._conn.recv()
            except (EOFError, OSError):
                self._deliver([("died", self)])
                return
            self._deliver(events)

    def stop(self) -> None:
        """Tell the process to stop (from any thread); commands not yet flushed are dropped."""
        self._outgoing.put(("stop",))

    def join(self) -> None:
        """Wait for the process to end (a stuck one is terminated after 5 s)."""
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()


class WorkerPool:
    def __init__(self, workers: int = 0, max_sessions: int = limits.MAX_SESSIONS,
                 idle_seconds: float = limits.SESSION_IDLE_SECONDS, new_session=Session):
        if workers < 0:
            raise ValueError(f"workers must be 0 (in this process) or more, got {workers}")
        self.n_workers = workers
        self.new_session = new_session
        self.sessions = SessionPool(max_sessions, idle_seconds, factory=Route,
                                    on_evict=self._evicted)
        self.routes: dict[str, Route] = {}
        self.workers: list = []
        self._tickets: dict[int, tuple] = {}
        """CSV imports under way: ticket -> (future of (status, answer), worker)."""
        self._counter = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None

    # ----- life ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers; events are delivered on the running event loop."""
        self._loop = asyncio.get_running_loop()
        if self.n_workers == 0:
            self.workers = [ThreadWorker(self._deliver, self.new_session)]
        else:
            self.workers = [ProcessWorker(self._deliver, i, self._loop)
                            for i in range(self.n_workers)]
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        """Stop every worker: all are told first, then waited for, so a busy machine's slow
        workers (they run at a lower priority) end together rather than one after another.
        They leave ``workers`` first, so their ending is not taken for a death to repair."""
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join()

    def _deliver(self, events: list) -> None:
        """Called on a worker's (or a reader's) thread: hand the events to the event loop,
        in one wake-up."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_events, events)

    def _on_events(self, events: list) -> None:
        for event in events:
            self._on_event(event)

    def _on_event(self, event: tuple) -> None:
        kind = event[0]
        if kind == "text":
            route = self.routes.get(event[1])
            if route is not None:
                route.outbox.put_nowait((event[2], event[3]))
        elif kind == "csv":
            future, _ = self._tickets.pop(event[1], (None, None))
            if future is not None and not future.done():
                future.set_result((event[2], event[3]))
        elif kind == "died":
            self._replace(event[1])

    def _replace(self, dead) -> None:
        """A worker process ended: close its sessions' sockets and start a new one."""
        if dead not in self.workers:
            return
        for ticket, (future, worker) in list(self._tickets.items()):
            if worker is dead:
                del self._tickets[ticket]
                future.set_result((500, {"ok": False, "error": "the lab's worker stopped"}))
        for route in [r for r in self.routes.values() if r.worker is dead]:
            self._drop(route)
            route.outbox.put_nowait((EVICTED, "the lab's worker process stopped; reload the "
                                              "page to start again"))
        index = self.workers.index(dead)
        self.workers[index] = ProcessWorker(self._deliver, index, self._loop)
        self.workers[index].start()

    # ----- sessions -----------------------------------------------------------------------------
    def open(self, config=None) -> Route:
        """A new session on the least busy worker (``PoolFull`` when the lab is full)."""
        route = self.sessions.open(config)
        route.worker = min(self.workers, key=lambda w: w.load)
        route.worker.load += 1
        self.routes[route.id] = route
        route.worker.send(("open", route.id, config))
        return route

    def message(self, route: Route, msg) -> None:
        """Send a parsed message to the session's worker; the reply comes to the outbox."""
        route.touch()
        route.worker.send(("message", route.id, msg))

    def frame_sent(self, route: Route) -> None:
        if route.id in self.routes:
            route.worker.send(("sent", route.id))

    async def import_csv(self, sid: str, body: bytes) -> tuple[int, dict]:
        route = self.routes.get(sid)
        if route is None:
            return 404, {"ok": False, "error": "unknown session"}
        route.touch()
        ticket = next(self._counter)
        future = self._loop.create_future()
        self._tickets[ticket] = future, route.worker
        route.worker.send(("csv", sid, ticket, body))
        return await future

    def close(self, route: Route) -> None:
        """The connection ended: forget the session and let its worker drop it."""
        self.sessions.close(route)
        self._drop(route)

    def _drop(self, route: Route) -> None:
        if self.routes.pop(route.id, None) is not None:
            route.worker.load -= 1
            route.worker.send(("close", route.id))

    def _evicted(self, route: Route) -> None:
        self._drop(route)
        route.outbox.put_nowait((EVICTED, "this session was closed after being idle; reload "
                                          "the page to start again"))

    def sweep(self) -> list[Route]:
        return self.sessions.sweep()

    def session(self, sid: str):
        """The ``Session`` object of ``sid`` when it lives in this process (``workers=0``),
        else None."""
        for worker in self.workers:
            if isinstance(worker, ThreadWorker) and sid in worker.worker.seats:
                return worker.worker.seats[sid].session
        return None

    def __len__(self) -> int:
        return len(self.sessions)
