"""Editing a lab session by hand: weights, rows, the selected row, the table page, new data.

``Editing`` is one part of :class:`~backproplab.lab.session.Session`; each edit is recorded in
the replay log (so the exported script reproduces it) and bumps the versions the frames watch.
"""

import math

from backproplab.lab import limits
from backproplab.lab.network import LabNetwork
from backproplab.lab.point_set import PointSet
from backproplab.train.task import head_for

CSV_TASK_LOSS = {"binary": "bce", "multiclass": "cross_entropy", "regression": "mse"}
"""The loss an imported file's task gets when the session's loss does not fit it."""


class Editing:
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

    def load_points(self, points: PointSet) -> str | None:
        """Replace the data (a CSV import); the network is rebuilt for its shape.

        Everything is checked before anything changes, so a refused file leaves the session
        as it was. A loss that does not fit the file's task (bce for three classes) is
        switched to the task's usual one; the returned sentence (also an event in the
        history) says so, and None means the loss was kept.
        """
        with self.lock:
            config, note = self.config, None
            try:
                head_for(points.info, config.loss)
            except ValueError:
                loss = CSV_TASK_LOSS[points.task]
                note = (f"the loss was switched from {config.loss} to {loss}: {config.loss} "
                        f"does not fit the imported {points.task} data")
                config = config.updated({"loss": loss})
            LabNetwork(config, points.info).targets(points.y)
            old = self.config, self.points
            self.playing = False
            self.config, self.points = config, points
            try:
                self._build()
            except Exception:
                self.config, self.points = old
                self._build()
                raise
            if note is not None:
                self._event("loss", note)
            return note
