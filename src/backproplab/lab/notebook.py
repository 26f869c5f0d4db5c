"""``bp.lab.show``: the Laboratory inside a notebook cell.

The lab is served by uvicorn from a daemon thread of the kernel, on a free port of 127.0.0.1,
and the cell shows it in an ``<iframe>`` (JupyterLab and the classic Notebook alike; a plain
Python session gets the URL printed). One server shows the lab's own examples; each model
passed to ``show`` gets a server of its own whose sessions train that very model object, so
the notebook sees every weight the lab changed (see :mod:`backproplab.lab.notebook_session`).

The browser must reach the kernel's loopback address, as it does when Jupyter runs on the
same machine; a remote Jupyter needs a proxy to the port, which this does not set up. The lab
allows pages from any loopback origin to frame it (``FRAME_ANCESTORS``), so the Jupyter page
on ``localhost:8888`` or ``127.0.0.1:8888`` can embed it and no other site can.
"""

import atexit
import socket
import threading
import time
from html import escape
from urllib.parse import quote

HOST = "127.0.0.1"
FRAME_ANCESTORS = ("http://127.0.0.1:*", "http://localhost:*")
"""Pages that may frame the lab: Jupyter on this machine. (CSP has no form for an IPv6
literal such as [::1], so a Jupyter opened on [::1] cannot embed it.)"""
START_SECONDS = 15.0
"""How long a new server may take to answer before ``show`` gives up with an error."""

MIN_HEIGHT, MAX_HEIGHT = 300, 4000


class LabThread:
    """A lab server on a free loopback port, running in a daemon thread of this process."""

    def __init__(self, new_session=None):
        """``new_session(config)`` makes each connection's session (default: the lab's own);
        sessions live in this process (``workers=0``) so they can hold the notebook's model."""
        from backproplab.lab.server import make_server

        self.new_session = new_session
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((HOST, 0))  # bound here, so the port is known and no one else takes it
        self.port = sock.getsockname()[1]
        options = {} if new_session is None else {"new_session": new_session}
        self.server = make_server(HOST, self.port, frame_ancestors=FRAME_ANCESTORS, workers=0,
                                  **options)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       name=f"backproplab-lab-{self.port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the lab server on port {self.port} did not start")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def alive(self) -> bool:
        return self.thread.is_alive() and not self.server.should_exit

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


_servers: dict = {}
"""None -> the examples' server; id(model) -> (model, its server). The model is kept so its
id cannot be reused by another object while the entry exists."""
_lock = threading.Lock()


def show(model=None, data=None, lesson: str | None = None, height: int = 760, *,
         loss: str | None = None, optimizer: str = "sgd", lr: float | None = None,
         batch_size: int | None = None, test_fraction: float = 0.0) -> None:
    """Show the Laboratory in this cell: on ``model`` and ``data`` when given (a ``bp.nn``
    MLP or Autoencoder and a ``bp.data`` dataset; ``loss``, ``optimizer``, ``lr``,
    ``batch_size`` and ``test_fraction`` set how the lab trains it), else on its own examples,
    opened on ``lesson`` when named. ``height`` is the frame's height in pixels.

    Bad arguments raise one ValueError (TypeError for data of the wrong kind) before any
    server starts."""
    if (model is None) != (data is None):
        raise ValueError("bp.lab.show: pass both model and data, or neither")
    if lesson is not None and model is not None:
        raise ValueError("bp.lab.show: a lesson brings its own network; call "
                         "bp.lab.show(lesson=…) without a model")
    if lesson is not None:
        from backproplab.lab.lessons.engine import LESSONS

        if lesson not in LESSONS:
            raise ValueError(f"bp.lab.show: unknown lesson {lesson!r}; lessons: "
                             f"{', '.join(LESSONS)}")
    if not isinstance(height, int) or not MIN_HEIGHT <= height <= MAX_HEIGHT:
        raise ValueError(f"bp.lab.show: height is a number of pixels from {MIN_HEIGHT} to "
                         f"{MAX_HEIGHT}, got {height!r}")
    if model is None:
        server = _examples_server()
    else:
        from backproplab.lab.notebook_session import NotebookExperiment

        experiment = NotebookExperiment(model, data, loss, optimizer, lr, batch_size,
                                        test_fraction)
        server = _model_server(experiment)
    url = server.url + (f"?lesson={quote(lesson)}" if lesson else "")
    _display(url, height)


def _examples_server() -> LabThread:
    with _lock:
        server = _servers.get(None)
        if server is None or not server.alive:
            server = _servers[None] = LabThread()
        return server


class _ExperimentSessions:
    """A server's ``new_session``: each connection opens a session on ``experiment``, which a
    later ``show`` of the same model may replace."""

    def __init__(self, experiment):
        self.experiment = experiment

    def __call__(self, config):
        from backproplab.lab.notebook_session import NotebookSession

        return NotebookSession(self.experiment)


def _model_server(experiment) -> LabThread:
    """The model's server, made to open new sessions on ``experiment`` (a later ``show`` of
    the same model with other data or settings reuses the server)."""
    with _lock:
        entry = _servers.get(id(experiment.model))
        if entry is not None and entry[0] is experiment.model and entry[1].alive:
            entry[1].new_session.experiment = experiment
            return entry[1]
        server = LabThread(_ExperimentSessions(experiment))
        _servers[id(experiment.model)] = (experiment.model, server)
        return server


@atexit.register
def stop() -> None:
    """Stop every lab server this process started for notebooks (also run at exit, so the
    servers close their connections before the interpreter goes away)."""
    with _lock:
        for entry in _servers.values():
            (entry[1] if isinstance(entry, tuple) else entry).stop()
        _servers.clear()


LAB_MIN_WIDTH = 1260
"""The width the lab's page is laid out for at least (``min-width`` in its ``lab.css``)."""

_FIT_SCRIPT = """<script>(() => {
  const box = document.currentScript.previousElementSibling;
  const frame = box.querySelector("iframe");
  const fit = () => {
    const scale = Math.min(1, box.clientWidth / %(min)d);
    frame.style.width = (box.clientWidth / scale) + "px";
    frame.style.height = (%(height)d / scale) + "px";
    frame.style.transform = scale < 1 ? "scale(" + scale + ")" : "";
  };
  new ResizeObserver(fit).observe(box);
  fit();
})();</script>"""
"""Scales the frame down when the cell is narrower than the lab's layout, so every panel stays
in view instead of being cut off at the right. Where the front end runs no script (an untrusted
notebook) the frame keeps the cell's width and the lab scrolls sideways inside it."""


def frame_html(url: str, height: int) -> str:
    """The lab in an iframe fitted to the cell, with a link to open it in a tab of its own."""
    u = escape(url)
    return (f'<div class="bp-lab-frame" style="width: 100%; height: {height}px; '
            'overflow: hidden; border: 1px solid rgba(127,127,127,0.4); border-radius: 4px;">'
            f'<iframe src="{u}" title="Backpropagation Laboratory" allow="clipboard-write; '
            f'fullscreen" style="width: 100%; height: {height}px; border: 0; '
            'transform-origin: 0 0;"></iframe></div>'
            + _FIT_SCRIPT % {"min": LAB_MIN_WIDTH, "height": height}
            + f'<div style="font-size: 12px;"><a href="{u}" target="_blank" rel="noopener">'
            f"Open the Laboratory in a tab of its own</a> · {u}</div>")


def _display(url: str, height: int) -> None:
    shell = _kernel_shell()
    if shell is None:
        print(f"The Backpropagation Laboratory is at {url}")
        return
    from IPython.display import display

    display({"text/html": frame_html(url, height),
             "text/plain": f"The Backpropagation Laboratory is at {url}"}, raw=True)


def _kernel_shell():
    """The IPython shell of a Jupyter kernel, or None (plain Python, terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None
