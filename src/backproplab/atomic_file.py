"""Atomic file writes: a reader sees the whole old file or the whole new one, never half.

Everything backproplab saves (models, ONNX files, histories, CSV data, plots) goes through
here: the content is written to a temporary file in the same folder, flushed to disk, then
renamed over the target in one step. On any failure the temporary file is removed and the
old file is left as it was.
"""

import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_open(path, mode: str = "wb", **open_args):
    """``open()`` for writing whose result only replaces ``path`` when the block succeeds."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
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


def write_bytes(path, blob: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(blob)


def write_text(path, text: str) -> None:
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(text)
