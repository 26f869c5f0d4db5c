"""``Player``: the worker thread that trains a session while the page says "play".

Training runs off the event loop so the page stays responsive; the thread holds the session
lock only for short bursts (about 20 ms) and sleeps between them, which leaves room for the
frame pump and for messages such as "pause" or a new learning rate.
"""

import threading
import time

BURST_SECONDS = 0.02
"""How long one burst of training holds the session at full speed."""


class Player:
    def __init__(self, session):
        self.session = session
        self._thread: threading.Thread | None = None

    def play(self) -> None:
        with self.session.lock:
            if self.session.diverged is not None:
                raise ValueError(self.session.diverged)
            self.session.playing = True
            self.session.version += 1
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=f"lab-{self.session.id[:6]}",
                                            daemon=True)
            self._thread.start()

    def pause(self) -> None:
        with self.session.lock:
            self.session.playing = False
            self.session.version += 1

    def stop(self) -> None:
        """Pause and wait for the thread (the connection closed)."""
        self.pause()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        session = self.session
        while session.playing:
            rate = session.target_rate
            if rate is None:
                session.train_for(BURST_SECONDS)
                time.sleep(0.0005)
            else:
                started = time.perf_counter()
                with session.lock:
                    if session.playing:
                        session.step("batch")
                time.sleep(max(0.0, 1.0 / rate - (time.perf_counter() - started)))
