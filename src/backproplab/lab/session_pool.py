"""``SessionPool``: at most ``limits.MAX_SESSIONS`` sessions, one per open connection.

When the pool is full a new connection evicts the session idle longest (no message for
``limits.SESSION_IDLE_SECONDS``); if every session is active, the new one is refused.
"""

import threading
import time

from backproplab.lab import limits
from backproplab.lab.session import Session


class PoolFull(RuntimeError):
    pass


class SessionPool:
    def __init__(self, max_sessions: int = limits.MAX_SESSIONS,
                 idle_seconds: float = limits.SESSION_IDLE_SECONDS):
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, config=None) -> Session:
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                self._evict_idle()
            if len(self._sessions) >= self.max_sessions:
                raise PoolFull(f"the lab serves at most {self.max_sessions} sessions at once; "
                               "close another tab or try again later")
            session = Session(config)
            self._sessions[session.id] = session
            return session

    def _evict_idle(self) -> None:
        now = time.monotonic()
        idle = [s for s in self._sessions.values() if now - s.last_active > self.idle_seconds]
        if idle:
            oldest = min(idle, key=lambda s: s.last_active)
            oldest.evicted = True
            oldest.playing = False
            del self._sessions[oldest.id]

    def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    def close(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.id, None)
