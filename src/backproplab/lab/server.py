"""Run the lab: uvicorn serving :func:`create_app`, and the browser opened on it."""

import threading
import webbrowser

from backproplab.lab import limits
from backproplab.lab.app import create_app
from backproplab.lab.blas_threads import use_one_blas_thread
from backproplab.lab.security import Access, is_loopback


def compresses(host: str, compression: bool | None = None) -> bool:
    """Whether the WebSocket compresses its messages (permessage-deflate): as asked, else only
    when pages reach the lab over a network. Compression is done by the web process, about
    0.3-0.45 ms of a core per 19 KB frame on the 2-core machine (a tenth of a core or more at a
    classroom's 320 frames a second) for frames a fifth of the size: worth it on a network,
    pure cost on loopback."""
    return not is_loopback(host) if compression is None else compression


def make_server(host: str = "127.0.0.1", port: int = 8000, *, allow_hosts=(),
                token: str | None = None, frame_ancestors=(), compression: bool | None = None,
                **app_options):
    """A uvicorn ``Server`` for the lab (``port=0`` picks a free port). Its access rules are
    ``server.access`` (:class:`~backproplab.lab.security.Access`): a non-loopback ``host``
    gets an access token. ``frame_ancestors`` are origins allowed to embed the lab in a
    frame (a Jupyter page); ``compression`` is :func:`compresses`'s; ``app_options`` go to
    :func:`create_app`."""
    import uvicorn

    use_one_blas_thread()
    access = Access.for_server(host, allow_hosts, token, frame_ancestors)
    config = uvicorn.Config(create_app(access=access, **app_options), host=host, port=port,
                            log_level="warning", ws_max_size=limits.MAX_TRANSPORT_BYTES,
                            ws_per_message_deflate=compresses(host, compression),
                            lifespan="on")
    server = uvicorn.Server(config)
    server.access = access
    return server


def lab_url(host: str, port: int, access: Access) -> str:
    """The address to open: a wildcard bind is opened on 127.0.0.1, a token is in the query."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    query = f"?token={access.token}" if access.token else ""
    return f"http://{shown}:{port}/{query}"


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True,
          **server_options) -> None:
    server = make_server(host, port, **server_options)
    url = lab_url(host, port, server.access)
    if not is_loopback(host):
        print(f"The lab listens on {host}: anyone who can reach this machine and has the "
              "token in the URL below can use it. Share that URL with your class only.")
    print(f"The Backpropagation Laboratory is at {url}  (Ctrl+C stops it)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    server.run()
