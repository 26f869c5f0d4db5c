"""Lab servers for tests: real uvicorn servers on free loopback ports, each in a thread."""

import contextlib
import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(*servers, start_seconds: float = 20):
    """Run ``servers`` (from ``make_server``) until the block ends."""
    threads = [threading.Thread(target=s.run, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + start_seconds
    while not all(s.started for s in servers):
        assert time.monotonic() < deadline, "the lab server did not start"
        time.sleep(0.02)
    try:
        yield servers
    finally:
        for server in servers:
            server.should_exit = True
        for thread in threads:
            thread.join(timeout=10)
