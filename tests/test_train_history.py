"""History: per-epoch columns, CSV and JSON files (strict JSON: NaN/Inf become null)."""

import csv
import json
import math
import os

import numpy
import pytest

from backproplab.train import Event, History


def _history():
    h = History()
    h.epochs = [1, 2, 3]
    h.train_loss = [0.9, 0.5, float("nan")]
    h.val_loss = [1.0, 0.6, float("inf")]
    h.metrics = {"accuracy": [0.5, 0.75, 0.8], "val_accuracy": [0.4, 0.7, 0.6]}
    h.learning_rates = [0.1, 0.1, 0.05]
    h.step_loss = [1.0, float("nan")]
    h.gradient_norms = {"0": [0.3, float("nan"), 0.1], "2": [1.0, 2.0, float("inf")]}
    h.events = [Event("divergence", 3, 12, "Training diverged at epoch 3")]
    h.stop_reason = "Training diverged at epoch 3"
    return h


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_columns_are_aligned_per_epoch_with_lr_last():
    cols = _history().columns()
    assert list(cols) == ["epoch", "loss", "val_loss", "accuracy", "val_accuracy", "lr"]
    assert {len(v) for v in cols.values()} == {3}


def test_columns_leave_out_val_loss_when_there_was_no_validation():
    h = History(epochs=[1], train_loss=[0.2])
    assert list(h.columns()) == ["epoch", "loss"]


def test_json_is_strict_with_non_finite_values_as_null(tmp_path):
    path = tmp_path / "history.json"
    _history().save_json(path)
    doc = _strict_json(path.read_text())
    assert doc["loss"] == [0.9, 0.5, None]
    assert doc["val_loss"] == [1.0, 0.6, None]
    assert doc["step_loss"] == [1.0, None]
    assert doc["gradient_norms"] == {"0": [0.3, None, 0.1], "2": [1.0, 2.0, None]}
    assert doc["epoch"] == [1, 2, 3]
    assert doc["events"] == [{"kind": "divergence", "epoch": 3, "step": 12,
                              "message": "Training diverged at epoch 3"}]
    assert doc["stop_reason"] == "Training diverged at epoch 3"


def test_numpy_scalar_values_are_written_as_numbers_not_dropped(tmp_path):
    h = History(epochs=[1, 2], train_loss=[numpy.float32(0.25), numpy.float64(0.125)])
    h.record("mae", numpy.float32(0.5))
    h.record("mae", numpy.float32(numpy.nan))
    h.save_json(tmp_path / "h.json")
    doc = _strict_json((tmp_path / "h.json").read_text())
    assert doc["loss"] == [0.25, 0.125]
    assert doc["mae"] == [0.5, None]


def test_csv_has_a_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "history.csv"
    _history().save_csv(path)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "val_loss", "accuracy", "val_accuracy", "lr"]
    assert len(rows) == 4
    assert [float(v) for v in rows[2]] == [2, 0.5, 0.6, 0.75, 0.7, 0.1]
    assert math.isnan(float(rows[3][1]))


def test_last_reads_losses_and_metrics():
    h = _history()
    assert h.last("val_accuracy") == 0.6
    assert h.last("accuracy") == 0.8
    assert math.isinf(h.last("val_loss"))
    assert h.last("r2") is None
    assert History().last("loss") is None


def test_diverged_is_true_only_with_a_divergence_event():
    h = History()
    h.events.append(Event("early_stop", 4, 40, "stopped"))
    assert not h.diverged
    h.events.append(Event("divergence", 5, 50, "NaN"))
    assert h.diverged


@pytest.mark.parametrize("save", ["save_json", "save_csv"])
def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch, save):
    path = tmp_path / "out"
    path.write_text("previous")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        getattr(_history(), save)(path)
    assert path.read_text() == "previous"
    assert os.listdir(tmp_path) == ["out"]
