"""The table's predictions and errors are the engine's float32 numbers, not rounded ones: a
prediction of 5.24e-4 is not sent as 0.00052 (shown 5.20e-4), and a prediction of 0.999994
is not sent as 1 with an error of 0 while the row's loss is not 0 (teacher walkthrough,
item 4)."""

import numpy
import pytest

from backproplab.lab.config import from_query
from backproplab.lab.frames import FrameTracker, read_float32s
from backproplab.lab.session import Session


def _shown(values, rows: int) -> numpy.ndarray:
    """What the page reads from the frame's packed float32s."""
    return read_float32s(values, [[rows]])[0]


@pytest.mark.parametrize("bias", [-7.5, 12.0])  # outputs ~5e-4 and ~1 - 6e-6
def test_binary_predictions_and_errors_are_the_engines_float32s(bias):
    session = Session(from_query("dataset=xor&hidden=4"))
    session.set_weight(1, 0, None, bias)  # the output neuron's bias
    frame = FrameTracker().build(session)["predictions"]
    out = session.network.outputs(session.points.x)[:, 0]
    y = session.points.y[:, 0]
    prediction, error = _shown(frame["prediction"], 4), _shown(frame["error"], 4)
    assert prediction.dtype == numpy.float32 and numpy.array_equal(prediction, out)
    assert numpy.array_equal(error, numpy.abs(y - out))
    # the three significant digits the page prints are the engine's
    assert [f"{v:.2e}" for v in prediction] == [f"{v:.2e}" for v in out]
    assert (error > 0).all()  # no row is shown as exactly right while its loss is not 0


def test_regression_and_multiclass_errors_are_the_engines_float32s():
    for query in ("dataset=sine&points=40&loss=mse",
                  "dataset=gaussians&points=40&loss=cross_entropy"):
        session = Session(from_query(query))
        session.step("batch")
        frame = FrameTracker().build(session)["predictions"]
        out = session.network.outputs(session.points.x)
        y = session.points.y
        n = len(session.points)
        if session.points.task == "regression":
            assert numpy.array_equal(_shown(frame["prediction"], n), out[:, 0])
            want = numpy.abs(y[:, 0] - out[:, 0])
        else:
            assert frame["prediction"] == out.argmax(axis=1).tolist()  # a class, not a number
            want = 1 - out[numpy.arange(n), y.astype(int)]
        assert numpy.array_equal(_shown(frame["error"], n), want), query
