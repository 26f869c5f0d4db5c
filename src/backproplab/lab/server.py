"""Run the lab: uvicorn serving :func:`create_app`, and the browser opened on it."""

import threading
import webbrowser

from backproplab.lab import limits
from backproplab.lab.app import create_app
from backproplab.lab.blas_threads import use_one_blas_thread


def make_server(host: str = "127.0.0.1", port: int = 8000, app=None):
    """A uvicorn ``Server`` for the lab (``port=0`` picks a free port); ``app`` defaults to
    :func:`create_app`'s."""
    import uvicorn

    use_one_blas_thread()
    config = uvicorn.Config(app or create_app(), host=host, port=port, log_level="warning",
                            ws_max_size=limits.MAX_TRANSPORT_BYTES, lifespan="on")
    return uvicorn.Server(config)


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True) -> None:
    server = make_server(host, port)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"The Backpropagation Laboratory is at {url}  (Ctrl+C stops it)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    server.run()
