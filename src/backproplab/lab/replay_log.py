"""``ReplayLog``: everything that changed a lab run's training, in order, so the exported
Python script can replay the run step for step and end at the lab's exact weights.

It starts with the run (the config and, when the rows differ from the dataset call, the rows
themselves) and records each training step, each setting changed mid-run (learning rate,
optimizer, L2, batch size), each weight typed in by hand and each row edited, added or
deleted — with the epoch and step it happened at. Consecutive mini-batches of one size
collapse into one entry, so a long run stays one line; the log is bounded by
``limits.MAX_REPLAY_ENTRIES`` and says when it stopped recording.
"""

from dataclasses import dataclass, field

from backproplab.lab import limits


@dataclass
class Change:
    kind: str
    """"batches", "sample", "lr", "l2", "l1", "optimizer", "batch_size", "weight", "restore"
    (early stopping's best weights), "add_row", "set_row" or "delete_row"."""
    epoch: int
    step: int
    values: dict = field(default_factory=dict)


class ReplayLog:
    def __init__(self, config, points, limit: int = limits.MAX_REPLAY_ENTRIES):
        self.config = config
        """The config the run started from (later training-only changes are entries)."""
        self.rows = None
        """(x, y, is_test) copies when the starting rows are not the config's dataset call."""
        if points.edited:
            self.rows = (points.x.copy(), points.y.copy(), points.is_test.copy())
        self.changes: list[Change] = []
        self.limit = limit
        self.truncated_at: tuple[int, int] | None = None
        """(epoch, step) of the first change that no longer fitted; None while complete."""

    def record(self, kind: str, epoch: int, step: int, **values) -> None:
        if self.truncated_at is not None:
            return
        last = self.changes[-1] if self.changes else None
        if last is not None and _continues(last, kind, values):
            last.values["count"] += 1
            return
        if len(self.changes) >= self.limit:
            self.truncated_at = (epoch, step)
            return
        if kind in ("batches", "sample"):
            values["count"] = 1
        self.changes.append(Change(kind, epoch, step, values))


def _continues(last: Change, kind: str, values: dict) -> bool:
    """Another step of the same kind as the last entry (same batch size, same row)."""
    if kind != last.kind or kind not in ("batches", "sample"):
        return False
    key = "size" if kind == "batches" else "row"
    return last.values[key] == values[key]

