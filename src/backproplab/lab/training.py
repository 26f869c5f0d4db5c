"""Training a lab session: mini-batches, epochs, the selected sample's step, the play rate.

``Training`` is one part of :class:`~backproplab.lab.session.Session` (which combines it with
editing and tracing); it works on the session's state under the session's lock. Every step goes
through the library's public API only (model forward, loss, ``backward()``,
``optimizer.step()``, as a ``bp.train`` TrainStep that ``bp.compile`` replays); divergence is
judged by ``bp.train.DivergenceDetector``, whose diagnosis the page shows instead of NaNs.
"""

import time

import numpy

from backproplab.autograd.grad_mode import no_grad
from backproplab.creation import from_numpy
from backproplab.lab.gradients import layer_norms
from backproplab.train.plateau import REINITIALISE
from backproplab.train.step import TrainStep

SPEED_STEPS_PER_SECOND = (1, 2, 5, 10, 30, 100, 300, 1000, 3000, None)
"""Steps per second of each speed setting 1…10; None is as fast as the machine goes."""


class Training:
    def _new_epoch(self) -> None:
        train_rows = numpy.flatnonzero(~self.points.is_test)
        self._order = self._shuffle.permutation(train_rows)
        self._cursor = 0
        self._epoch_loss = 0.0
        self._epoch_seen = 0
        self._epoch_correct = 0


    pause_at_epoch: int | None = None
    """Play pauses when this epoch ends (an open lesson stage's ``epochs``), so "train for 100
    epochs" can be followed at any speed; Play again goes on past it."""

    plateau_remedy: str = REINITIALISE
    """What the plateau message tells the user to try (an open lesson stage may name the real
    cause instead)."""

    last_step_loss: tuple | None = None
    """(rows, their loss before the step, weights_version after it) of the last step: the
    "before" of a lesson's before-and-after readout, valid while the weights are unchanged."""

    compile_steps = True
    """Replay each step with ``bp.compile`` (the same numbers bit for bit, faster); set it to
    False on a session (or on the class) to train every step eagerly."""

    def _train_step(self) -> TrainStep:
        """The step of the current network, loss and optimizer, made again when one changes."""
        key = (self.network.model, self.network.loss_fn, self.optimizer, self.compile_steps)
        old = getattr(self, "_step_key", None)
        if old is None or any(a is not b for a, b in zip(old, key, strict=True)):
            self._step_key = key
            self._step = TrainStep(*key[:3], compile=None if self.compile_steps else False,
                                   keep_outputs=True, penalty=self._l1_penalty)
        return self._step

    def _train_on(self, rows: numpy.ndarray) -> bool:
        """One optimizer step on ``rows``; False (and nothing changed) when it diverged."""
        step = self._train_step()
        # the error history shows the data loss, without the penalty
        value, out = step.backward(from_numpy(self._x[rows]), from_numpy(self._t[rows]),
                                   self.config.l1)
        self.state.epoch, self.state.step = self.epoch, self.step_count
        self.detector.on_after_backward(self.state, value)
        if self.state.stop:
            self._diverge()
            return False
        before = self.network.snapshot()
        step.update()
        self.last_update = before
        self.last_step_rows = len(rows)  # the rows the gradient panel's bars were measured on
        self.step_count += 1
        self._epoch_loss += value * len(rows)
        self._epoch_seen += len(rows)
        self._epoch_correct += self._correct(out.array, rows)
        self._weights_changed()
        self.last_step_loss = (rows.tolist(), value, self.weights_version)
        return True

    def _l1_penalty(self, l1: float):
        """l1·Σ|p| over every parameter, with the engine's ops: its gradient l1·sign(p) joins
        the loss's in ``backward()``, the way a PyTorch user adds L1."""
        return l1 * sum(p.abs().sum() for p in self.network.parameters())

    def _correct(self, out: numpy.ndarray, rows: numpy.ndarray) -> int:
        """Correctly classified rows among ``rows`` given the model's raw outputs ``out``."""
        if self.points.task == "binary":
            threshold = 0.5 if self.network.head.output_activation == "sigmoid" else 0.0
            return int(((out[:, 0] > threshold) == (self.points.y[rows, 0] > 0.5)).sum())
        if self.points.task == "multiclass":
            return int((out.argmax(axis=1) == self.points.y[rows]).sum())
        return 0

    def _diverge(self) -> None:
        self.playing = False
        lr = self.config.lr
        self.diverged = (f"{self.history.stop_reason} Reset, or lower the learning rate "
                         f"(now {lr:g}) and reset.")
        self.version += 1

    def _end_epoch(self) -> None:
        self.epoch += 1
        train_loss = self._epoch_loss / max(self._epoch_seen, 1)
        values = {"train_loss": train_loss, "grad_norms": layer_norms(self.network)}
        classify = self.points.task in ("binary", "multiclass")
        if classify:
            values["accuracy"] = self._epoch_correct / max(self._epoch_seen, 1)
        test = self.points.is_test
        if test.any():
            with no_grad():
                out = self.network.model(from_numpy(self._x[test]))  # the model's inputs
                values["test_loss"] = self.network.loss_fn(out, from_numpy(self._t[test])).item()
            if classify:
                rows = numpy.flatnonzero(self.points.is_test)
                values["test_accuracy"] = self._correct(out.array, rows) / len(rows)
        self.log.record(self.epoch, **values)
        self.state.epoch = self.epoch
        self.detector.on_epoch_end(self.state, {"loss": train_loss})
        self.plateau.on_epoch_end(self.state, {"loss": train_loss})
        if self.state.stop:
            self._diverge()
        else:
            self._check_early_stopping(train_loss, values.get("test_loss"))
            self._pause_at_epoch()
        self._new_epoch()

    def _pause_at_epoch(self) -> None:
        if self.playing and self.epoch == self.pause_at_epoch:
            self.playing = False
            self._event("pause", f"paused at epoch {self.epoch}, as the lesson asks; Play goes "
                                 "on from here")

    def _next_rows(self, size: int) -> numpy.ndarray:
        rows = self._order[self._cursor:self._cursor + size]
        self._cursor += len(rows)
        return rows

    def _batch(self, size: int) -> bool:
        if self.diverged is not None or len(self._order) == 0:
            return False
        epoch, step = self.epoch, self.step_count
        ok = self._train_on(self._next_rows(size))
        if ok:
            self.replay.record("batches", epoch, step, size=size)
        if ok and self._cursor >= len(self._order):
            self._end_epoch()
        return ok

    def _sample_step(self) -> None:
        """One step on the selected sample alone: the step the step-by-step panel explains."""
        if self.points.is_test[self.selected]:
            raise ValueError(f"row {self.selected} is a test row; select a training row to "
                             "train on it")
        if self.diverged is None:
            epoch, step = self.epoch, self.step_count
            if self._train_on(numpy.array([self.selected])):
                self.replay.record("sample", epoch, step, row=self.selected)

    def step(self, unit: str = "batch") -> int:
        """One step on the selected sample, one mini-batch, or one epoch; returns the steps
        taken."""
        with self.lock:
            start = self.step_count
            if unit == "sample":
                self._sample_step()
            elif unit == "batch":
                self._batch(self.config.batch_size)
            else:
                epoch = self.epoch
                while self.epoch == epoch and self._batch(self.config.batch_size):
                    pass
            self._rate.count(self.step_count - start)
            return self.step_count - start

    def train_for(self, seconds: float) -> int:
        """Train batches for about ``seconds`` (the play loop's unit of work)."""
        with self.lock:
            start, deadline = self.step_count, time.perf_counter() + seconds
            while self.playing and self._batch(self.config.batch_size):
                if time.perf_counter() >= deadline:
                    break
            self._rate.count(self.step_count - start)
            return self.step_count - start

    @property
    def target_rate(self) -> int | None:
        return SPEED_STEPS_PER_SECOND[self.config.speed - 1]

    def steps_per_second(self) -> float:
        return self._rate.rate()


class RateMeter:
    """Steps per second over the last second or so."""

    def __init__(self):
        self._marks: list[tuple[float, int]] = []
        self._total = 0

    def count(self, steps: int) -> None:
        now = time.monotonic()
        self._total += steps
        self._marks.append((now, self._total))
        while len(self._marks) > 2 and now - self._marks[0][0] > 1.5:
            self._marks.pop(0)

    def rate(self) -> float:
        if len(self._marks) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._marks[0], self._marks[-1]
        if time.monotonic() - t1 > 1.0:
            return 0.0
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0
