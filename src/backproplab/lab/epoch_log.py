"""``EpochLog``: the error history the page plots, bounded however long a run goes.

XOR trains thousands of epochs a minute, so the log keeps at most ``capacity`` points: when
full it drops every other point and from then on records every second epoch (then every
fourth…). Frames send only the points added since the last frame, or the whole log again
after such a thinning (``generation`` changes).
"""

import itertools

from backproplab.lab.json_numbers import DIGITS

_RUNS = itertools.count(1)

FIELDS = ("epoch", "train_loss", "test_loss", "accuracy", "test_accuracy", "grad_norms")
"""``grad_norms`` holds a list per epoch: each layer's gradient norm at the epoch's last step."""


class EpochLog:
    def __init__(self, capacity: int = 2000):
        self.capacity = capacity
        self.columns = {f: [] for f in FIELDS}
        self.stride = 1
        self.generation = 0
        self.run = next(_RUNS)
        """This run's number: a new log is a new run (the page keeps the last one as a ghost),
        a thinned one is the same run."""

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def record(self, epoch: int, **values) -> None:
        if epoch % self.stride:
            return
        self.columns["epoch"].append(epoch)
        for name in FIELDS[1:]:
            value = values.get(name)
            self.columns[name].append([_significant(v) for v in value]
                                      if isinstance(value, list) else _json_number(value))
        if len(self) > self.capacity:
            for name in FIELDS:
                self.columns[name] = self.columns[name][::2]
            self.stride *= 2
            self.generation += 1

    def since(self, start: int) -> dict:
        return {name: values[start:] for name, values in self.columns.items()}

    def last(self, name: str):
        values = self.columns[name]
        return values[-1] if values else None


def _json_number(v):
    """None for a missing, NaN or infinite value (JSON has no NaN), else the value to nine
    significant digits, with which every float32 reads back as itself: rounding to 7 decimals
    sent a loss of 3.14e-6 as 3.1e-06, and one under 5e-8 as 0 (json_numbers.py)."""
    if v is None or v != v or v in (float("inf"), float("-inf")):
        return None
    return float(f"{float(v):.{DIGITS}g}")


def _significant(v):
    """None for a missing or non-finite value, else 6 significant digits: a gradient norm of
    3e-9 must not round to 0."""
    if v is None or v != v or v in (float("inf"), float("-inf")):
        return None
    return float(f"{float(v):.6g}")
