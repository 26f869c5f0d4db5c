"""``History``: what a training run produced, epoch by epoch, ready to plot or save.

Besides losses and metrics it keeps *events* (early stop, divergence, learning-rate changes):
the lab draws them as markers on the error history and the CLI prints them, so a learner sees
why training stopped, not only that it did.
"""

import csv
import json
import math
import numbers
from dataclasses import dataclass, field

from backproplab import atomic_file


@dataclass
class Event:
    """Something that happened at an epoch/step: kind is 'early_stop', 'divergence', 'lr'…"""

    kind: str
    epoch: int
    step: int
    message: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "epoch": self.epoch, "step": self.step, "message": self.message}


@dataclass
class History:
    epochs: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)  # "accuracy", "val_accuracy", … -> per epoch
    step_loss: list = field(default_factory=list)
    learning_rates: list = field(default_factory=list)
    gradient_norms: dict = field(default_factory=dict)  # layer name -> per-epoch norm
    events: list = field(default_factory=list)
    wall_time: float = 0.0
    stop_reason: str | None = None

    @property
    def diverged(self) -> bool:
        return any(e.kind == "divergence" for e in self.events)

    def record(self, name: str, value: float) -> None:
        self.metrics.setdefault(name, []).append(value)

    def last(self, name: str) -> float | None:
        """Latest value of 'loss', 'val_loss' or any metric name; None if not recorded."""
        series = {"loss": self.train_loss, "val_loss": self.val_loss}.get(name)
        if series is None:
            series = self.metrics.get(name, [])
        return series[-1] if series else None

    def columns(self) -> dict:
        """Per-epoch series keyed by column name (same length each)."""
        cols = {"epoch": self.epochs, "loss": self.train_loss}
        if self.val_loss:
            cols["val_loss"] = self.val_loss
        cols.update(self.metrics)
        if self.learning_rates:
            cols["lr"] = self.learning_rates
        return cols

    def to_dict(self) -> dict:
        return {
            **{k: [_finite_or_none(v) for v in vs] for k, vs in self.columns().items()},
            "step_loss": [_finite_or_none(v) for v in self.step_loss],
            "gradient_norms": {k: [_finite_or_none(v) for v in vs]
                               for k, vs in self.gradient_norms.items()},
            "events": [e.to_dict() for e in self.events],
            "wall_time": self.wall_time,
            "stop_reason": self.stop_reason,
        }

    def save_json(self, path) -> None:
        atomic_file.write_text(path, json.dumps(self.to_dict(), indent=2, allow_nan=False))

    def __repr__(self) -> str:
        from backproplab.display.curve_views import history_repr

        return history_repr(self)

    def _repr_html_(self) -> str:
        """Loss curves (inline PNG) and a compact table, for Jupyter."""
        from backproplab.display.curve_views import history_html

        return history_html(self)

    def save_csv(self, path) -> None:
        cols = self.columns()
        names = list(cols)
        rows = [names] + [[cols[n][i] for n in names] for i in range(len(self.epochs))]
        with atomic_file.atomic_open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)


def _finite_or_none(v):
    """JSON has no NaN/Inf; a diverged epoch is written as null. NumPy scalars become Python
    numbers, so a metric computed in float32 is kept, not dropped."""
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real) and math.isfinite(v):
        return float(v)
    return None
