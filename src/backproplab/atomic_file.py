"""Atomic file writes: a reader sees the whole old file or the whole new one, never half.

Everything backproplab saves (models, ONNX files, histories, CSV data, plots) goes through
here: the content is written to a temporary file in the same folder, flushed to disk, then
renamed over the target in one step. On any failure the temporary file is removed and the
old file is left as it was.

A process killed during a write (kill -9, power loss) cannot clean up, so the temporary name
carries the writer's process id: the next write to the same path removes the temporary files
of writers that are no longer running, and never those of a write still in progress (in this
process or another).
"""

import contextlib
import os
import re
import tempfile
import threading

_active: set[str] = set()  # temporary files this process is writing right now
_active_lock = threading.Lock()


def _prefix(path) -> str:
    return f".{os.path.basename(path)}.{os.getpid()}-"


def _writer_gone(pid: int, tmp: str) -> bool:
    if pid == os.getpid():
        with _active_lock:
            return tmp not in _active
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False  # alive under another user, or a pid we cannot ask about: keep it
    return False


def remove_stale_temps(path) -> list[str]:
    """Delete temporary files left by dead writers of ``path``; returns their names."""
    folder = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(re.escape(f".{os.path.basename(path)}.") + r"(\d+)-\w+\.tmp")
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        tmp = os.path.join(folder, name)
        if match and _writer_gone(int(match.group(1)), tmp):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
                removed.append(name)
    return removed


@contextlib.contextmanager
def atomic_open(path, mode: str = "wb", **open_args):
    """``open()`` for writing whose result only replaces ``path`` when the block succeeds."""
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=_prefix(path), suffix=".tmp")
    with _active_lock:
        _active.add(tmp)
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        with _active_lock:
            _active.discard(tmp)


def write_bytes(path, blob: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(blob)


def write_text(path, text: str) -> None:
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(text)
