"""The exported Python script replays a lab run — mid-run changes, hand edits, single steps —
and, run on its own, ends at exactly the lab session's weights."""

import subprocess
import sys

import numpy
import pytest

import backproplab as bp
from backproplab.lab.code_generation import python_script
from backproplab.lab.config import LabConfig
from backproplab.lab.point_set import PointSet
from backproplab.lab.session import Session


def moons_session() -> Session:
    return Session(LabConfig().updated({"dataset": "moons", "points": 60, "test_fraction": 0.2,
                                        "batch_size": 8}))


def run_script(code: str, tmp_path) -> list[numpy.ndarray]:
    """Run the script as a learner would (its own process, its own folder); its weights."""
    (tmp_path / "reproduce.py").write_text(code)
    result = subprocess.run([sys.executable, "reproduce.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [p.array for p in bp.load(tmp_path / "model.safetensors").parameters()]


def lr_change(s):
    for _ in range(5):
        s.step("batch")
    s.configure(s.config.updated({"lr": 0.05}))
    s.step("epoch")
    s.step("batch")


def optimizer_change(s):
    s.configure(s.config.updated({"optimizer": "momentum"}))
    s.step("epoch")
    s.configure(s.config.updated({"optimizer": "adam", "lr": 0.02}))
    s.trace()  # explaining a step leaves the weights and the optimizer's state alone
    for _ in range(4):
        s.step("batch")


def weight_edit(s):
    s.step("batch")
    s.set_weight(0, 1, 0, 0.75)
    s.set_weight(1, 0, None, -0.3)
    s.step("epoch")


def row_edits(s):
    s.step("batch")
    s.set_row(5, [0.25, -0.5], 1.0)
    s.step("batch")
    s.add_row([1.5, 1.5], 0.0)
    s.add_row([0.1, 0.2], 1.0, test=True)
    s.delete_row(7)
    s.step("epoch")


def sample_steps(s):
    first, second = (int(i) for i in numpy.flatnonzero(~s.points.is_test)[:2])
    s.select(first)
    s.step("sample")
    s.step("sample")
    s.step("batch")
    s.select(second)
    s.step("sample")


def imported_rows(s):
    csv = "x1,x2,label\n" + "".join(f"{i % 7 / 3},{i % 5 / 7},{i % 2}\n" for i in range(30))
    s.load_points(PointSet.from_csv(csv.encode(), 0.2, 3))
    s.step("epoch")
    s.set_row(0, [0.5, 0.5], 0.0)
    s.step("batch")


def batch_steps(s):
    for _ in range(11):  # across an epoch's end, into the next one
        s.step("batch")
    s.configure(s.config.updated({"batch_size": 5, "l2": 0.01}))
    for _ in range(3):
        s.step("batch")


def l1_and_early_stopping(s):
    s.configure(s.config.updated({"l1": 0.01, "early_stopping": True}))
    for _ in range(3):
        s.step("epoch")
    s.configure(s.config.updated({"l1": 0.002}))
    s.step("epoch")
    s.restore_best()
    s.step("batch")


@pytest.mark.parametrize("run", [lr_change, optimizer_change, weight_edit, row_edits,
                                 sample_steps, batch_steps, imported_rows,
                                 l1_and_early_stopping])
def test_exported_script_ends_at_the_lab_weights(run, tmp_path):
    session = moons_session()
    run(session)
    weights = run_script(python_script(session), tmp_path)
    lab = [p.array for p in session.network.parameters()]
    assert all(numpy.array_equal(a, b) for a, b in zip(weights, lab, strict=True))


def test_mid_run_changes_are_explained_in_the_script():
    session = moons_session()
    session.step("batch")
    session.configure(session.config.updated({"lr": 0.05}))
    session.set_weight(0, 1, 0, 0.75)
    code = python_script(session)
    assert "step 1: learning rate 0.5 → 0.05" in code
    assert "set by hand to 0.75" in code
    assert "ends at the lab's weights exactly" in code


def test_script_says_so_when_the_log_was_truncated():
    session = moons_session()
    session.replay.limit = 2
    session.step("batch")
    session.configure(session.config.updated({"lr": 0.05}))
    session.step("batch")  # the third entry: no longer recorded
    session.step("batch")
    assert len(session.replay.changes) == 2 and session.replay.truncated_at == (0, 1)
    code = python_script(session)
    assert "NOT A FULL REPRODUCTION" in code and "does NOT end at the lab's weights" in code
    namespace = {"__name__": "reproduce"}
    exec(compile(code, "reproduce.py", "exec"), namespace)


def test_a_reset_starts_a_fresh_log():
    session = moons_session()
    session.step("batch")
    session.set_weight(0, 0, 0, 1.0)
    session.reset()
    assert session.replay.changes == []


def test_exported_script_reproduces_a_run_on_features_through_data_edits(tmp_path):
    session = Session(LabConfig().updated({
        "dataset": "circles", "points": 60, "test_fraction": 0.2, "batch_size": 8,
        "features": ("x1sq", "x2sq", "x1x2", "sinx1"), "hidden": (3,)}))
    session.step("epoch")
    session.add_row([0.3, -0.4], 1.0)
    session.set_row(2, [0.9, 0.1], 0.0)
    session.step("epoch")
    code = python_script(session)
    assert "numpy.stack([x1 * x1, x2 * x2, x1 * x2, numpy.sin(x1)], axis=1)" in code
    assert session.network.sizes[0] == 4
    weights = run_script(code, tmp_path)
    lab = [p.array for p in session.network.parameters()]
    assert all(numpy.array_equal(a, b) for a, b in zip(weights, lab, strict=True))
