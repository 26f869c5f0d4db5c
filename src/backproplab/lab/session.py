"""``Session``: one page's experiment — its data, network, optimizer and training position.

A plain experiment object with no web code. This module builds and configures it; what it does
lives beside it, one concern a module: :mod:`~backproplab.lab.training` (steps, epochs, play
rate), :mod:`~backproplab.lab.editing` (weights and rows by hand) and
:mod:`~backproplab.lab.tracing` (explaining and predicting without changing anything). Every
public method takes the session's lock, so the training thread, the frame pump and message
handlers can share one session safely.
"""

import secrets
import threading
import time

import numpy

from backproplab import train
from backproplab.lab import limits
from backproplab.lab.config import TRAINING_ONLY, LabConfig
from backproplab.lab.early_stop import EarlyStop
from backproplab.lab.editing import Editing
from backproplab.lab.epoch_log import EpochLog
from backproplab.lab.network import LabNetwork
from backproplab.lab.point_set import PointSet
from backproplab.lab.replay_log import ReplayLog
from backproplab.lab.tracing import Tracing
from backproplab.lab.training import RateMeter, Training


class Session(Training, EarlyStop, Editing, Tracing):
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
        self.lesson = None
        """The open lesson's run (``lessons.engine.LessonRun``), or None."""
        self._rate = RateMeter()
        self._build()

    # ----- building -----------------------------------------------------------------------------
    def _new_points(self) -> PointSet:
        """The data a new session starts on: the config's dataset."""
        return PointSet.from_config(self.config)

    def _new_network(self) -> LabNetwork:
        """The network a build starts from: the config's, with its seed's initial weights. (A
        notebook's session overrides this to show the notebook's own model.)"""
        return LabNetwork(self.config, self.points.info,
                          self.points.x[~self.points.is_test])  # dead ReLUs redrawn on these

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
        self.plateau = train.PlateauDetector(patience=limits.PLATEAU_EPOCHS,
                                             poor_fraction=limits.PLATEAU_POOR_FRACTION,
                                             remedy=self.plateau_remedy)
        self.plateau.on_train_begin(self.state)
        self._start_early_stopping()
        self.diverged: str | None = None
        self.last_update = None
        self._data_changed()
        self.network_version += 1
        self._weights_changed()

    def _make_optimizer(self):
        return train.make_optimizer(self.config.optimizer, self.network.parameters(),
                                    lr=self.config.lr, weight_decay=self.config.l2)

    def _data_changed(self) -> None:
        self._shuffle = numpy.random.default_rng(self.config.seed + 1)
        x, y = self.points.x, self.points.y
        self._x, self._t = self.network.inputs(x), self.network.targets(y)
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
        if "l1" in changed:
            self._event("l1", f"L1 {old.l1:g} → {config.l1:g}")
            self._record("l1", old=old.l1, value=config.l1)
        if "early_stopping" in changed:
            self._start_early_stopping()
            self._event("early_stopping", "early stopping " + ("on" if config.early_stopping
                                                               else "off"))
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
