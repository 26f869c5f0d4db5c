"""What bp.compile refuses or runs eagerly rather than replay wrong numbers: random masks,
dropout, control flow that changes between calls, branches on the data, anomaly mode, bad
arguments, another thread's training, errors inside the step."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.compile import CompileError
from tests.compile_steps import raises_within, same_params, small_data, small_step


def test_numpy_random_mask_inside_the_step_is_a_clear_error():
    model, o, _ = small_step()
    rng = np.random.default_rng(0)

    def step(x, y):
        o.zero_grad()
        noise = bp.tensor(rng.standard_normal(x.shape).astype(np.float32))
        loss = ((model(x + noise) - y) ** 2).mean()
        loss.backward()
        o.step()
        return loss

    info = raises_within(CompileError, bp.compile(step), small_data(4))
    assert "different program on its second trace" in str(info.value)


def test_dropout_is_refused_rather_than_replayed_with_a_frozen_mask():
    _, _, step = small_step(dropout=nn.Dropout(0.5))
    info = raises_within(CompileError, bp.compile(step), small_data(6))
    assert "NumPy random draw" in str(info.value)


def test_python_counter_changing_control_flow_is_a_clear_error():
    model, o, _ = small_step()
    calls = {"n": 0}

    def step(x, y):
        calls["n"] += 1
        o.zero_grad()
        out = model(x)
        if calls["n"] % 2:
            out = out * 2.0
        loss = ((out - y) ** 2).mean()
        loss.backward()
        o.step()
        return loss

    raises_within(CompileError, bp.compile(step), small_data(4))


def test_a_data_branch_that_goes_the_other_way_runs_that_call_eagerly():
    model, o, _ = small_step()

    def step(x, y):
        o.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        if loss.isfinite():  # guard: skip the update on a non-finite loss
            o.step()
        return loss

    compiled = bp.compile(step)
    x, y = small_data(4)
    for _ in range(4):
        compiled(x, y)
    before = [p.array.copy() for p in model.parameters()]
    bad = bp.tensor(np.full((4, 2), np.nan, np.float32))
    assert np.isnan(compiled(bad, y).item())
    assert compiled.stats["eager"] == 1
    assert all(np.array_equal(b, p.array) for b, p in zip(before, model.parameters(),
                                                         strict=True))
    compiled(x, y)
    assert compiled.stats["eager"] == 1  # back on the tape


def test_anomaly_mode_runs_eagerly():
    _, _, step = small_step()
    compiled = bp.compile(step)
    x, y = small_data(4)
    with bp.detect_anomaly():
        for _ in range(4):
            compiled(x, y)
    assert compiled.stats == {"traces": 0, "replays": 0, "eager": 4}


def test_bad_arguments_to_compile():
    with pytest.raises(TypeError, match="expected a function"):
        bp.compile(3)
    with pytest.raises(ValueError, match="max_cache"):
        bp.compile(lambda: None, max_cache=0)


def test_a_trace_in_one_thread_leaves_eager_training_in_another_alone():
    import threading

    m_ref, _, ref_step = small_step(opt="adam")
    m_eager, _, eager_step = small_step(opt="adam")
    batches = [small_data(5, i) for i in range(4)]
    for x, y in batches * 5:
        ref_step(x, y)
    errors = []

    def eager_thread():
        try:
            for x, y in batches * 5:
                eager_step(x, y)
        except Exception as e:  # reported below: the assertion is on the numbers
            errors.append(e)

    thread = threading.Thread(target=eager_thread)
    thread.start()
    for n in range(2, 12):  # new shapes keep this thread tracing while the other trains
        _, _, step = small_step()
        compiled = bp.compile(step)
        for _ in range(3):
            compiled(*small_data(n))
    thread.join()
    assert errors == []
    assert same_params(m_ref, m_eager)


def test_a_data_branch_after_the_update_is_refused():
    model, o, _ = small_step()

    def step(x, y):
        o.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        o.step()
        if loss.isfinite():
            loss = loss * 1.0
        return loss

    compiled = bp.compile(step)
    with pytest.raises(CompileError, match="move the check before the update"):
        compiled(*small_data(4))


def test_an_error_inside_the_step_propagates_and_leaves_the_model_usable():
    model, _, step = small_step()
    compiled = bp.compile(step)
    x, _ = small_data(4)
    with pytest.raises(ValueError, match="mse_loss"):
        compiled(x, bp.tensor(np.zeros((4, 3), np.float32)))
    assert type(model[0].weight.array) is np.ndarray  # no traced array left behind
    for _ in range(4):
        compiled(*small_data(4))
    assert compiled.stats["replays"] >= 1
