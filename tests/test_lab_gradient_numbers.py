"""The first/last-layer gradient numbers on one screen come from one computation, and each
says what it measures (teacher walkthrough, item 3): the lesson readout and the gradient
panel's warning read the same ``gradient_health`` check on the same training rows (they read
0.00017 and 0.00012, from the first 64 rows and 64 evenly spaced ones); the bars are the
last step's own batch, and the frame says how many rows that batch had."""

import pytest

from backproplab.lab import gradients, limits
from backproplab.lab.frames import FrameTracker
from backproplab.lab.lessons import engine
from backproplab.lab.lessons.readouts import READOUTS
from backproplab.lab.session import Session


def _readout(session, name):
    return READOUTS[name][1](session, None)


def test_the_lesson_readout_and_the_panel_read_one_health_check_on_the_same_rows():
    session = Session()
    engine.open_stage(session, "vanishing-gradients", 0)
    assert (~session.points.is_test).sum() > limits.GRADIENT_HEALTH_ROWS  # rows to choose from
    for _ in range(3):
        session.step("batch")
        frame = FrameTracker().build(session)["gradients"]
        ratio, text = _readout(session, "gradient_ratio")
        assert frame["ratio"] == ratio and ratio < 1e-3
        report = gradients.health_report(session)
        assert report.first_to_last_ratio == ratio
        first, last = report.layers[0].grad_norm, report.layers[-1].grad_norm
        shown = [f"{v:.2g}" if v < 1e-3 else f"{v:.3g}" for v in (first, last)]
        shown = [t.replace("-", "−") for t in shown]  # the readouts' minus sign
        assert f"layer 1 {shown[0]}," in text and f"layer 7 {shown[1]})" in text
        assert f"on the first {frame['rows']} training rows" in text


def test_the_frame_says_how_many_rows_the_last_steps_bars_were_measured_on():
    session = Session(Session().config.updated({"dataset": "moons", "points": 200}))
    frame = FrameTracker().build(session)["gradients"]
    assert frame["norms"] is None and frame["norms_rows"] is None  # before the first step
    session.step("batch")
    assert FrameTracker().build(session)["gradients"]["norms_rows"] == session.config.batch_size
    session.step("sample")
    assert FrameTracker().build(session)["gradients"]["norms_rows"] == 1


@pytest.mark.parametrize("query", ["dataset=moons&points=300", "dataset=xor"])
def test_the_health_check_reads_the_first_training_rows(query):
    from backproplab.lab.config import from_query

    session = Session(from_query(query))
    rows = gradients.health_rows(session)
    train = (~session.points.is_test).nonzero()[0]
    assert list(rows) == list(train[:limits.GRADIENT_HEALTH_ROWS])
