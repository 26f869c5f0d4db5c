"""detect_anomaly: NaN/Inf in a forward value or a gradient names the op and the user's line."""

import inspect
import os

import numpy
import pytest

import backproplab as bp

THIS_FILE = os.path.basename(__file__)


def _next_line() -> int:
    return inspect.currentframe().f_back.f_lineno + 1


def test_forward_nan_names_op_and_source_line():
    x = bp.tensor([-1.0, 4.0], requires_grad=True)
    with bp.detect_anomaly(), numpy.errstate(invalid="ignore"):
        line = _next_line()
        with pytest.raises(bp.autograd.AnomalyError) as info:
            bp.sqrt(x)
    message = str(info.value)
    assert "Sqrt" in message and "forward" in message and "NaN" in message
    assert f"{THIS_FILE}:{line + 1}" in message
    assert "bp.sqrt(x)" in message


def test_backward_nan_names_op_and_the_line_that_created_it():
    x = bp.tensor([0.0, 4.0], requires_grad=True)
    with bp.detect_anomaly(), numpy.errstate(divide="ignore"):
        line = _next_line()
        y = bp.sqrt(x)  # finite forward, infinite derivative at 0
        loss = (y * 2.0).sum()
        with pytest.raises(bp.autograd.AnomalyError) as info:
            loss.backward()
    message = str(info.value)
    assert "SqrtBackward" in message and "non-finite" in message
    assert f"{THIS_FILE}:{line}" in message and "y = bp.sqrt(x)" in message


def test_without_anomaly_mode_nan_passes_silently():
    x = bp.tensor([-1.0], requires_grad=True)
    with numpy.errstate(invalid="ignore"):
        y = bp.sqrt(x)
    assert numpy.isnan(y.item())


def test_detect_anomaly_as_decorator_and_restores_state():
    @bp.detect_anomaly()
    def run():
        assert bp.autograd.is_anomaly_enabled()
        return bp.tensor([float("nan")]) * 2.0

    with pytest.raises(bp.autograd.AnomalyError, match="Mul"):
        run()
    assert not bp.autograd.is_anomaly_enabled()


def test_anomaly_site_is_the_users_line_even_in_a_folder_named_backproplab(tmp_path):
    folder = tmp_path / "backproplab" / "project"
    folder.mkdir(parents=True)
    script = folder / "train_script.py"
    script.write_text(
        "import backproplab as bp\n"
        "def run():\n"
        "    x = bp.tensor([0.0], requires_grad=True)\n"
        "    with bp.autograd.detect_anomaly():\n"
        "        return x.log()\n"  # line 5: log(0) = -inf
    )
    namespace = {}
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    with pytest.raises(bp.autograd.AnomalyError) as info, numpy.errstate(divide="ignore"):
        namespace["run"]()
    assert f"{script}:5 in run" in str(info.value)
