"""Frames: what the server pushes to a page, carrying only what changed since the last one.

A ``FrameTracker`` belongs to one connection and remembers the versions it has sent; the
connection's pump asks it for a frame at most ``limits.MAX_FRAMES_PER_SECOND`` times a second
and sends nothing when nothing changed.
"""

import time

import numpy

from backproplab.lab import data_space, limits
from backproplab.lab.config import to_query
from backproplab.lab.gradients import gradients_frame


class FrameTracker:
    def __init__(self, clock=time.perf_counter):
        self._sent: dict = {}
        self._clock = clock
        self._space_due_at = 0.0
        """When the data space (heatmap and neuron maps) may next be computed: a big network's
        costs tens of milliseconds, so it is computed at most ``HEATMAP_TIME_SHARE`` of the
        time and the frames between carry everything else."""

    def _changed(self, key: str, value) -> bool:
        if self._sent.get(key, object()) == value:
            return False
        self._sent[key] = value
        return True

    def build(self, session) -> dict | None:
        """The next frame for ``session``, or None when the page is already up to date."""
        with session.lock:
            space_stale = self._sent.get("space") != (session.weights_version,
                                                      session.data_version)
            if not self._changed("version", session.version) and not (
                    space_stale and self._clock() >= self._space_due_at):
                return None
            frame: dict = {"type": "frame", "status": status(session)}
            if self._changed("config", session.config):
                frame["config"] = {**session.config.model_dump(),
                                   "query": to_query(session.config)}
            if self._changed("network", session.network_version):
                frame["structure"] = structure(session)
            data_changed = self._changed("data", session.data_version)
            if data_changed:
                frame["data"] = {**session.points.rows(), "extent": session.points.extent()}
                if session.network.features is not None:  # the features the model is fed
                    frame["data"]["inputs"] = numpy.round(
                        session.network.inputs(session.points.x), 5).tolist()
            weights, page = (session.weights_version, session.data_version), session.page_rows()
            if self._changed("predictions", (*weights, page)):
                frame["predictions"] = data_space.predictions(session.network, session.points,
                                                              page)
            if self._changed("weights", weights):
                frame["network"] = network(session)
                frame["gradients"] = gradients_frame(session)
            if space_stale and self._clock() >= self._space_due_at:
                frame.update(self._space(session))
                self._sent["space"] = weights
            if self._changed("selected", (session.selected, session.weights_version,
                                          session.data_version)):
                frame["selected"] = selected(session)
            frame.update(self._history(session))
            lesson = None if session.lesson is None else session.lesson.frame(session)
            if self._changed("lesson", lesson):
                frame["lesson"] = lesson
            return frame

    def _space(self, session) -> dict:
        """The data space and every neuron's map, from one forward pass, and when the next
        may be computed."""
        start = self._clock()
        if session.config.mode == "autoencoder":
            view, neurons = data_space.autoencoder_view(session.network, session.points)
            out = {"autoencoder": view, "neurons": neurons}
        else:
            space, neurons = data_space.heatmaps(session.network, session.points)
            out = {"space": space, "neurons": neurons}
        self._space_due_at = start + (self._clock() - start) / limits.HEATMAP_TIME_SHARE
        return out

    def _history(self, session) -> dict:
        log, out = session.log, {}
        run = id(log)
        start = self._sent.get("history_len", 0)
        if self._changed("history_run", (run, log.generation)):
            start = 0
            out["history_reset"] = True
            out["history_run"] = log.run
        if len(log) > start:
            out["history"] = log.since(start)
        self._sent["history_len"] = len(log)
        events = session.history.events
        if self._changed("events", (run, len(events))):
            out["events"] = [e.to_dict() for e in events]
        return out


def status(session) -> dict:
    log = session.log
    return {
        "epoch": session.epoch,
        "step": session.step_count,
        "train_loss": log.last("train_loss"),
        "test_loss": log.last("test_loss"),
        "accuracy": log.last("accuracy"),
        "test_accuracy": log.last("test_accuracy"),
        "steps_per_second": round(session.steps_per_second(), 1),
        "playing": session.playing,
        "diverged": session.diverged,
        "plateau": session.plateau.message,
        "lr": session.optimizer.param_groups[0]["lr"],
        "best_epoch": session.best_epoch(),
    }


def structure(session) -> dict:
    net, points = session.network, session.points
    return {
        "mode": session.config.mode,
        "sizes": net.sizes,
        "activations": [w["activation"] for w in net.weights()],
        "roles": net.roles,
        "task": points.task,
        "n_classes": points.info.n_classes,
        "loss": net.head.loss,
        "output_activation": net.head.output_activation or "identity",
        "editable": points.editable,
        "feature_names": list(points.info.feature_names),
        "input_names": list(net.info.feature_names),
        "features": list(net.features or ()),
    }


def network(session) -> dict:
    net = session.network
    updates = None
    if session.last_update is not None:
        now = net.snapshot()
        deltas = [numpy.round((a - b).astype(numpy.float64), 7).tolist()
                  for a, b in zip(now, session.last_update, strict=True)]
        updates = [{"w": w, "b": b} for w, b in zip(deltas[::2], deltas[1::2], strict=True)]
    return {"weights": net.weights(), "grads": net.grads(), "updates": updates,
            "gradient_magnitudes": net.gradient_magnitudes()}


def selected(session) -> dict:
    index = session.selected
    x = session.points.x[index]
    return {"index": index, "x": x.tolist(), "inputs": session.network.input_values(x),
            "layers": session.network.forward_details(x)}

