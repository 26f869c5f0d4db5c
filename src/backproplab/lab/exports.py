"""What the page can download: the trained model (safetensors, JSON spec), the data (CSV),
the error history (JSON) and the Python code that reproduces the run.

Each export is a file name, a MIME type and either text or base64 bytes, so it travels in an
ordinary reply and the page saves it with a Blob; nothing is written on the server's disk
beyond a temporary file.
"""

import base64
import json
import tempfile
from pathlib import Path

from backproplab import nn, save
from backproplab.lab.code_generation import python_script
from backproplab.lab.config import to_query


def export(session, what: str) -> dict:
    with session.lock:
        name = f"backproplab-{session.points.info.name}"
        if what == "safetensors":
            return {"filename": f"{name}.safetensors", "mime": "application/octet-stream",
                    "base64": base64.b64encode(model_bytes(session)).decode()}
        if what == "spec":
            text = json.dumps(nn.to_spec(session.network.model), indent=1)
            return {"filename": f"{name}.json", "mime": "application/json", "text": text}
        if what == "python":
            return {"filename": f"{name}.py", "mime": "text/x-python",
                    "text": python_script(session)}
        if what == "csv":
            return {"filename": f"{name}.csv", "mime": "text/csv",
                    "text": session.points.to_csv()}
        history = {"query": to_query(session.config), **session.log.since(0),
                   "events": [e.to_dict() for e in session.history.events]}
        return {"filename": f"{name}-history.json", "mime": "application/json",
                "text": json.dumps(history, indent=1)}


def model_bytes(session) -> bytes:
    """The model as a ``bp.save`` file; the lab's URL query rides along as metadata."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.safetensors"
        save(session.network.model, path, optimizer=session.optimizer,
             metadata={"lab_query": to_query(session.config), "epoch": session.epoch})
        return path.read_bytes()
