"""Frames: what the server pushes to a page, carrying only what changed since the last one.

A ``FrameTracker`` belongs to one connection and remembers the versions it has sent; the
connection's pump asks it for a frame at most ``limits.MAX_FRAMES_PER_SECOND`` times a second
and sends nothing when nothing changed.

What a frame costs is kept small, since a playing session sends up to 30 a second:

* the *slow part* — the data space, every neuron's map, the predictions of the table page
  on show and the selected row's pass, forward passes over every grid cell — is computed at
  most ``HEATMAP_TIME_SHARE`` of the time; the frames between carry the status, weights and
  history;
* the gradient panel's health check (``bp.explain.gradient_health``, a forward and backward
  pass of its own) runs at most every ``GRADIENT_HEALTH_SECONDS`` while training plays, and
  for every change when it does not; the frame says which step it describes;
* under a classroom's load the two are spread further apart, gracefully: the slow parts of
  all the sessions playing on one worker (``sharing``, which the worker sets) take at most
  ``WORKER_SLOW_SHARE`` of its time, their health checks ``WORKER_HEALTH_SHARE``; a frame
  still goes out with the current status, weights and history whenever it is due;
* weights, gradients and last updates travel as the engine's float32 bytes (base64), exact
  and a quarter of the JSON text, which also took longer to write than to compute.
"""

import base64
import time

import numpy

from backproplab.explain.trace_step import neuron_labels
from backproplab.lab import data_space, limits
from backproplab.lab.config import to_query
from backproplab.lab.gradients import health, initialisation, layer_norms


class FrameTracker:
    def __init__(self, clock=time.monotonic):
        self._sent: dict = {}
        self._clock = clock
        self._space_due_at = 0.0
        """When the slow part (data space, neuron maps, predictions, selected row) may next be
        computed: a big network's costs ~10 ms, so it is computed at most
        ``HEATMAP_TIME_SHARE`` of the time (under load less) and the frames between carry
        everything else."""
        self._health_due_at = float("-inf")
        """When the next health check may run while training plays."""
        self._health: tuple[tuple, dict] | None = None
        """The last health check: the (weights, data) versions it read, and its numbers."""
        self._init: tuple = (None, None)
        """The network the initialisation text was written for, and that text."""
        self.sharing = 1
        """Sessions playing on the worker that builds these frames (itself included): their
        slow parts and health checks share the worker's time."""

    def _changed(self, key: str, value) -> bool:
        if self._sent.get(key, object()) == value:
            return False
        self._sent[key] = value
        return True

    def build(self, session) -> dict | None:
        """The next frame for ``session``, or None when the page is already up to date."""
        with session.lock:
            weights = (session.weights_version, session.data_version)
            slow = self._sent.get("space") != weights and self._clock() >= self._space_due_at
            health_due = self._health_stale(session) and self._clock() >= self._health_due_at
            if not self._changed("version", session.version) and not (slow or health_due):
                return None
            frame: dict = {"type": "frame", "status": status(session)}
            if self._changed("config", session.config):
                frame["config"] = {**session.config.model_dump(),
                                   "query": to_query(session.config)}
            if self._changed("network", session.network_version):
                frame["structure"] = structure(session)
            if self._changed("data", session.data_version):
                frame["data"] = {**session.points.rows(), "extent": session.points.extent()}
                if session.network.features is not None:  # the features the model is fed
                    frame["data"]["inputs"] = numpy.round(
                        session.network.inputs(session.points.x), 5).tolist()
            if self._changed("weights", weights):
                frame["network"] = network(session)
                frame["gradients"] = self._gradients(session)
            elif health_due:  # the check left out while training played
                frame["gradients"] = self._gradients(session)
            started, page = self._clock(), session.page_rows()
            # a new page or new data is shown at once; new weights wait for the slow part
            shown = (session.data_version, page.start)
            if self._sent.get("predictions") != (*weights, page.start) and (
                    slow or self._sent.get("predictions_shown") != shown):
                frame["predictions"] = data_space.predictions(session.network, session.points,
                                                              page)
                self._sent["predictions"] = (*weights, page.start)
                self._sent["predictions_shown"] = shown
            # a newly chosen row is shown at once; its new pass after new weights, with the maps
            chosen = (session.selected, session.data_version)
            if self._sent.get("selected") != (chosen, session.weights_version) and (
                    slow or self._sent.get("selected_row") != chosen):
                frame["selected"] = selected(session)
                self._sent["selected"] = chosen, session.weights_version
                self._sent["selected_row"] = chosen
            if slow:
                frame.update(self._space(session, started))
                self._sent["space"] = weights
            frame.update(self._history(session))
            lesson = None if session.lesson is None else session.lesson.frame(session)
            if self._changed("lesson", lesson):
                frame["lesson"] = lesson
            return frame

    def _health_stale(self, session) -> bool:
        return self._health is not None and self._health[0] != (session.weights_version,
                                                                session.data_version)

    def _gradients(self, session) -> dict:
        """The frame's ``gradients``: the last step's norms (``norms_at_step``, on the
        ``norms_rows`` rows of that step's batch: not the health check's rows), the health
        flags (``health_at_step``: the step they were checked after, an earlier one while
        training plays and the check is not due) and the initialisation."""
        key = (session.weights_version, session.data_version)
        now = self._clock()
        if self._health is None or (self._health[0] != key and (
                not session.playing or now >= self._health_due_at)):
            self._health = key, {**health(session), "health_at_step": session.step_count}
            cost = self._clock() - now
            self._health_due_at = now + max(limits.GRADIENT_HEALTH_SECONDS,
                                            cost * self.sharing / limits.WORKER_HEALTH_SHARE)
        if self._init[0] is not session.network:  # fixed for a network: made once
            self._init = session.network, initialisation(session.network)
        return {"norms": layer_norms(session.network), "norms_at_step": session.step_count,
                "norms_rows": getattr(session, "last_step_rows", None),
                **self._health[1], "init": self._init[1]}

    def space_due(self, session) -> float | None:
        """When the slow part or the health check left out of the last frame (computed too
        recently) may go, on this tracker's clock; None when the page has the current ones.
        A worker asks, since no new version will come to wake it once training stops."""
        dues = []
        if self._sent.get("space") != (session.weights_version, session.data_version):
            dues.append(self._space_due_at)
        if self._health_stale(session):
            dues.append(self._health_due_at)
        return min(dues) if dues else None

    def _space(self, session, started: float) -> dict:
        """The data space and every neuron's map, from one forward pass; and when the next
        slow part (this, the predictions and the selected row since ``started``) may be
        computed: after its cost over its share (a lone session's ``HEATMAP_TIME_SHARE``, or
        its part of the worker's ``WORKER_SLOW_SHARE``)."""
        if session.config.mode == "autoencoder":
            view, neurons = data_space.autoencoder_view(session.network, session.points)
            out = {"autoencoder": view, "neurons": neurons}
        else:
            space, neurons = data_space.heatmaps(session.network, session.points)
            out = {"space": space, "neurons": neurons}
        spacing = (1 / limits.HEATMAP_TIME_SHARE if self.sharing <= 1
                   else self.sharing / limits.WORKER_SLOW_SHARE)
        self._space_due_at = started + (self._clock() - started) * spacing
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
        # the rate of training going on: none once it stopped, not the last one measured
        "steps_per_second": round(session.steps_per_second(), 1) if session.playing else 0.0,
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
        "activations": net.activations(),
        "roles": net.roles,
        "task": points.task,
        "n_classes": points.info.n_classes,
        "loss": net.head.loss,
        "output_activation": net.head.output_activation or "identity",
        "editable": points.editable,
        "feature_names": list(points.info.feature_names),
        "input_names": list(net.info.feature_names),
        "features": list(net.features or ()),
        # Each layer's neuron names (x1…, h1… or h1_1…, o1…), the step panel's own: the
        # network view and the readouts name a neuron as the step-by-step panel does.
        "labels": [neuron_labels(len(net.sizes) - 1, k - 1, width)
                   for k, width in enumerate(net.sizes)],
    }


def network(session) -> dict:
    """The network view's numbers, as the engine holds them: every parameter (in the model's
    order: each layer's weight (out, in), then its bias) its value, its gradient from the last
    step and its change in that step (None before the first), each all parameters'
    little-endian float32s in one base64 string (``shapes`` says how to cut them). Exact where
    rounded JSON numbers were not, and a 6×32 network's are 86 KB instead of 143 KB, written
    in a millisecond instead of ten."""
    params = session.network.parameters()
    values = [p.array for p in params]
    grads = None if any(p.grad is None for p in params) else [p.grad.array for p in params]
    updates = None if session.last_update is None else [
        now - before for now, before in zip(values, session.last_update, strict=True)]
    return {"shapes": [list(v.shape) for v in values], "weights": float32_bytes(values),
            "grads": None if grads is None else float32_bytes(grads),
            "updates": None if updates is None else float32_bytes(updates),
            "gradient_magnitudes": session.network.gradient_magnitudes()}


def float32_bytes(arrays: list[numpy.ndarray]) -> str:
    """The arrays' values, row-major one after the other, as base64 little-endian float32s
    (what a JavaScript ``Float32Array`` reads)."""
    flat = numpy.concatenate([numpy.ravel(a) for a in arrays]).astype("<f4", copy=False)
    return base64.b64encode(flat.tobytes()).decode()


def read_float32s(packed: str, shapes: list[list[int]]) -> list[numpy.ndarray]:
    """The arrays ``float32_bytes`` packed (for tests and notebooks: what the page reads)."""
    flat = numpy.frombuffer(base64.b64decode(packed), dtype="<f4")
    out, at = [], 0
    for shape in shapes:
        n = int(numpy.prod(shape))
        out.append(flat[at:at + n].reshape(shape))
        at += n
    return out


def selected(session) -> dict:
    index = session.selected
    x = session.points.x[index]
    return {"index": index, "x": x.tolist(), "inputs": session.network.input_values(x),
            "layers": session.network.forward_details(x)}

