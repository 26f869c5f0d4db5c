"""``SessionPool``: at most ``limits.MAX_SESSIONS`` sessions, one per open connection.

A session with no message for ``limits.SESSION_IDLE_SECONDS`` is idle. The server's sweep
(:meth:`SessionPool.sweep`, every ``limits.IDLE_SWEEP_SECONDS``) closes idle sessions so a
forgotten tab does not train forever; when the pool is full before a sweep came round, a new
connection evicts the session idle longest, and if every session is active it is refused.
"""

import threading
import time

from backproplab.lab import limits
from backproplab.lab.session import Session


class PoolFull(RuntimeError):
    pass


class SessionPool:
    """``factory(config, clock=…)`` makes each entry: a ``Session``, or the web process's
    ``Route`` to a session in a worker. ``on_evict`` is called with each evicted entry."""

    def __init__(self, max_sessions: int = limits.MAX_SESSIONS,
                 idle_seconds: float = limits.SESSION_IDLE_SECONDS, clock=time.monotonic,
                 factory=Session, on_evict=None):
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.factory = factory
        self.on_evict = on_evict
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, config=None) -> Session:
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                idle = self._idle()
                if idle:
                    self._evict(min(idle, key=lambda s: s.last_active))
            if len(self._sessions) >= self.max_sessions:
                raise PoolFull(f"the lab serves at most {self.max_sessions} sessions at once; "
                               "close another tab or try again later")
            session = self.factory(config, clock=self.clock)
            self._sessions[session.id] = session
            return session

    def sweep(self) -> list[Session]:
        """Close every session idle longer than ``idle_seconds``; returns them."""
        with self._lock:
            idle = self._idle()
            for session in idle:
                self._evict(session)
            return idle

    def _idle(self) -> list[Session]:
        now = self.clock()
        return [s for s in self._sessions.values() if now - s.last_active > self.idle_seconds]

    def _evict(self, session: Session) -> None:
        """Stop the session's training and mark it for its connection, which then tells the
        page and closes the socket."""
        with session.lock:
            session.evicted = True
            session.playing = False
            session.version += 1
        del self._sessions[session.id]
        if self.on_evict is not None:
            self.on_evict(session)

    def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    def close(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.id, None)
