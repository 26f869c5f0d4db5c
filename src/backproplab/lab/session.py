"""``Session``: one page's experiment — its data, network, optimizer and training position.

Training goes through the library's public API only (model forward, loss, ``backward()``,
``optimizer.step()``); divergence is judged by ``bp.train.DivergenceDetector``, whose
diagnosis the page shows instead of NaNs. Every method takes the session's lock, so the
training thread, the frame pump and message handlers can share one session safely.
"""

import math
import secrets
import threading
import time

import numpy

from backproplab import train
from backproplab.autograd.grad_mode import no_grad
from backproplab.creation import from_numpy
from backproplab.lab import limits
from backproplab.lab.config import TRAINING_ONLY, LabConfig
from backproplab.lab.epoch_log import EpochLog
from backproplab.lab.network import LabNetwork
from backproplab.lab.point_set import PointSet
from backproplab.lab.replay_log import ReplayLog

SPEED_STEPS_PER_SECOND = (1, 2, 5, 10, 30, 100, 300, 1000, 3000, None)
"""Steps per second of each speed setting 1…10; None is as fast as the machine goes."""


class Session:
    def __init__(self, config: LabConfig | None = None, clock=time.monotonic):
        self.id = secrets.token_urlsafe(16)
        self.lock = threading.RLock()
        self._clock = clock
        """What ``last_active`` is measured with (the pool's clock, fake in tests)."""
        self.last_active = clock()
        self.config = config or LabConfig()
        self.version = 0
        """Bumped by every change a frame could show; the frame pump compares it."""
        self.data_version = 0
        self.weights_version = 0
        self.network_version = 0
        self.playing = False
        self.evicted = False
        self.selected = 0
        self.table_page = 0
        """The dataset table's page on show: frames carry an autoencoder's reconstructions for
        its rows only."""
        self.points = self._new_points()
        self._rate = _RateMeter()
        self._build()

    # ----- building -----------------------------------------------------------------------------
    def _new_points(self) -> PointSet:
        """The data a new session starts on: the config's dataset."""
        return PointSet.from_config(self.config)

    def _new_network(self) -> LabNetwork:
        """The network a build starts from: the config's, with its seed's initial weights. (A
        notebook's session overrides this to show the notebook's own model.)"""
        return LabNetwork(self.config, self.points.info)

    def _build(self) -> None:
        """A fresh network and a fresh training run over the points."""
        self.network = self._new_network()
        self.optimizer = self._make_optimizer()
        self.epoch = 0
        self.step_count = 0
        self.log = EpochLog()
        self.replay = ReplayLog(self.config, self.points)
        self.history = train.History()
        self.state = train.TrainingState(self.network.model, self.optimizer, self.history)
        self.detector = train.DivergenceDetector()
        self.detector.on_train_begin(self.state)
        self.diverged: str | None = None
        self.last_update = None
        self._data_changed()
        self.network_version += 1
        self._weights_changed()

    def _make_optimizer(self):
        return train.make_optimizer(self.config.optimizer, self.network.parameters(),
                                    lr=self.config.lr, weight_decay=self.config.l2)

    def _new_epoch(self) -> None:
        train_rows = numpy.flatnonzero(~self.points.is_test)
        self._order = self._shuffle.permutation(train_rows)
        self._cursor = 0
        self._epoch_loss = 0.0
        self._epoch_seen = 0
        self._epoch_correct = 0

    def _data_changed(self) -> None:
        self._shuffle = numpy.random.default_rng(self.config.seed + 1)
        x, y = self.points.x, self.points.y
        self._x, self._t = x, self.network.targets(y)
        self.selected = min(self.selected, len(self.points) - 1)
        self._new_epoch()
        self.data_version += 1
        self.version += 1

    def _weights_changed(self) -> None:
        self.weights_version += 1
        self.version += 1

    def touch(self) -> None:
        self.last_active = self._clock()

    # ----- configuration ------------------------------------------------------------------------
    def configure(self, config: LabConfig) -> str:
        """Apply ``config``; returns "training" when the weights were kept, else "rebuilt"."""
        with self.lock:
            old, self.config = self.config, config
            changed = {k for k, v in config.model_dump().items() if getattr(old, k) != v}
            if not changed:
                return "unchanged"
            if changed <= TRAINING_ONLY:
                self._retune(old, changed)
                return "training"
            self.playing = False
            data_keys = {"mode", "dataset", "points", "noise", "test_fraction", "data_seed"}
            try:
                if changed & data_keys:
                    self.points = PointSet.from_config(config)
                self._build()
            except Exception:
                self.config = old
                self.points = PointSet.from_config(old)
                self._build()
                raise
            return "rebuilt"

    def _retune(self, old: LabConfig, changed: set) -> None:
        """Learning rate, optimizer, L2, batch size or speed changed: keep the weights."""
        config = self.config
        if "optimizer" in changed:
            self.optimizer = self._make_optimizer()
            self.state.optimizer = self.optimizer
            self._event("optimizer", f"optimizer {old.optimizer} → {config.optimizer}")
            self._record("optimizer", old=old.optimizer, name=config.optimizer, lr=config.lr,
                         l2=config.l2)
        group = self.optimizer.param_groups[0]
        if "lr" in changed:
            group["lr"] = config.lr
            self._event("lr", f"learning rate {old.lr:g} → {config.lr:g}")
            if "optimizer" not in changed:
                self._record("lr", old=old.lr, value=config.lr)
        if "l2" in changed:
            group["weight_decay"] = config.l2
            self._event("l2", f"L2 {old.l2:g} → {config.l2:g}")
            if "optimizer" not in changed:
                self._record("l2", old=old.l2, value=config.l2)
        if "batch_size" in changed:
            self._record("batch_size", old=old.batch_size, value=config.batch_size)
        self.version += 1

    def _event(self, kind: str, message: str) -> None:
        self.history.events.append(train.Event(kind, self.epoch, self.step_count, message))
        self.version += 1

    def _record(self, kind: str, **values) -> None:
        """Note a change to training in the replay log, at the current epoch and step."""
        self.replay.record(kind, self.epoch, self.step_count, **values)

    def reset(self) -> None:
        """The same seed's initial weights, a fresh optimizer and an empty history."""
        with self.lock:
            self.playing = False
            self._build()

    def reinitialise(self) -> int:
        """New initial weights from a new seed; returns the seed."""
        with self.lock:
            seed = int(numpy.random.default_rng().integers(0, 2**31 - 1))
            self.config = self.config.updated({"seed": seed})
            self.reset()
            return seed

    # ----- training -----------------------------------------------------------------------------
    def _train_on(self, rows: numpy.ndarray) -> bool:
        """One optimizer step on ``rows``; False (and nothing changed) when it diverged."""
        model, optimizer = self.network.model, self.optimizer
        out = model(from_numpy(self._x[rows]))
        loss = self.network.loss_fn(out, from_numpy(self._t[rows]))
        optimizer.zero_grad()
        loss.backward()
        value = loss.item()
        self.state.epoch, self.state.step = self.epoch, self.step_count
        self.detector.on_after_backward(self.state, value)
        if self.state.stop:
            self._diverge()
            return False
        before = self.network.snapshot()
        optimizer.step()
        self.last_update = before
        self.step_count += 1
        self._epoch_loss += value * len(rows)
        self._epoch_seen += len(rows)
        self._epoch_correct += self._correct(out.data, rows)
        self._weights_changed()
        return True

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
        values = {"train_loss": train_loss}
        classify = self.points.task in ("binary", "multiclass")
        if classify:
            values["accuracy"] = self._epoch_correct / max(self._epoch_seen, 1)
        test_x, test_y = self.points.split(test=True)
        if len(test_x):
            with no_grad():
                out = self.network.model(from_numpy(test_x))
                values["test_loss"] = self.network.loss_fn(
                    out, from_numpy(self.network.targets(test_y))).item()
            if classify:
                rows = numpy.flatnonzero(self.points.is_test)
                values["test_accuracy"] = self._correct(out.data, rows) / len(rows)
        self.log.record(self.epoch, **values)
        self.state.epoch = self.epoch
        self.detector.on_epoch_end(self.state, {"loss": train_loss})
        if self.state.stop:
            self._diverge()
        self._new_epoch()

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

    def trace(self, index: int | None = None) -> dict:
        """``bp.explain.trace_step`` of one step on sample ``index`` (default: the selected
        one), with the session's optimizer; the weights are left as they are."""
        from backproplab import explain

        with self.lock:
            index = self.selected if index is None else index
            if not 0 <= index < len(self.points):
                raise ValueError(f"there is no row {index}; the table has {len(self.points)}")
            rows = numpy.array([index])
            trace = explain.trace_step(self.network.model, self._x[rows], self._t[rows],
                                       self.network.loss_fn, optimizer=self.optimizer)
            return {"index": index, **trace.to_dict()}

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

    # ----- editing ------------------------------------------------------------------------------
    def set_weight(self, layer: int, row: int, col: int | None, value: float) -> None:
        with self.lock:
            self.network.set_weight(layer, row, col, value)
            self._record("weight", layer=layer, row=row, col=col, value=value)
            self._weights_changed()

    def select(self, index: int) -> None:
        with self.lock:
            if not 0 <= index < len(self.points):
                raise ValueError(f"there is no row {index}; the table has {len(self.points)}")
            self.selected = index
            self.version += 1

    def show_page(self, page: int) -> None:
        with self.lock:
            self.table_page = page
            self.version += 1

    def page_rows(self) -> slice:
        """The rows of the table page on show; a page past the end (rows were deleted) is the
        last page, as the page itself counts it."""
        with self.lock:
            pages = max(1, math.ceil(len(self.points) / limits.TABLE_PAGE_ROWS))
            start = min(self.table_page, pages - 1) * limits.TABLE_PAGE_ROWS
            return slice(start, min(start + limits.TABLE_PAGE_ROWS, len(self.points)))

    def add_row(self, x, y, test: bool = False) -> int:
        with self.lock:
            index = self.points.add(x, y, test)
            self._record("add_row", x=list(x), y=y, test=test)
            self._data_changed()
            return index

    def set_row(self, index: int, x, y) -> None:
        with self.lock:
            self.points.set(index, x, y)
            self._record("set_row", index=index, x=list(x), y=y)
            self._data_changed()

    def delete_row(self, index: int) -> None:
        with self.lock:
            self.points.delete(index)
            self._record("delete_row", index=index)
            self._data_changed()

    def load_points(self, points: PointSet) -> None:
        """Replace the data (a CSV import); the network is rebuilt for its shape."""
        with self.lock:
            self.playing = False
            self.points = points
            self._build()

    def predict(self, x) -> dict:
        """The network's output at ``x`` and the forward pass that produced it."""
        with self.lock:
            if len(x) != self.points.x.shape[1]:
                raise ValueError(f"the network takes {self.points.x.shape[1]} input(s), "
                                 f"got {len(x)}")
            point = numpy.asarray(x, dtype=numpy.float32)
            out = self.network.outputs(point[None])[0]
            return {"x": point.tolist(), "output": numpy.round(out, 6).tolist(),
                    "layers": self.network.forward_details(point)}


class _RateMeter:
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
