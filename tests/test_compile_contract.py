"""The bp.compile contract: when it traces again and what it reads at replay (what it refuses
is in test_compile_refusals.py)."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from tests.compile_steps import same_params, small_data, small_step, training_step


def test_smaller_last_batch_of_an_epoch_is_traced_again_and_replayed():
    m1, _, eager = small_step()
    m2, _, step = small_step()
    compiled = bp.compile(step)
    batches = [small_data(8, 1), small_data(8, 2), small_data(3, 3)]  # 19 samples in batches of 8
    for _ in range(6):
        for x, y in batches:
            assert eager(x, y).item() == compiled(x, y).item()
    assert same_params(m1, m2)
    # per shape: traces until two agree (plus the first step, which creates optimizer state)
    assert compiled.stats["traces"] <= 5
    assert compiled.stats["replays"] >= 18 - 5 - 1
    assert len(compiled._cache) == 2


def test_learning_rate_changed_mid_run_is_read_at_replay():
    m1, o1, eager = small_step(opt="adam", lr=0.05)
    m2, o2, step = small_step(opt="adam", lr=0.05)
    compiled = bp.compile(step)
    x, y = small_data(5)
    s1, s2 = bp.optim.lr_scheduler.StepLR(o1, 3, 0.5), bp.optim.lr_scheduler.StepLR(o2, 3, 0.5)
    for _ in range(30):
        assert eager(x, y).item() == compiled(x, y).item()
        s1.step()
        s2.step()
    assert o2.param_groups[0]["lr"] < 0.05 / 100
    assert compiled.stats["replays"] >= 25 and compiled.stats["traces"] <= 3
    assert same_params(m1, m2)


def test_a_hyper_parameter_that_flips_a_branch_traces_again():
    m1, o1, eager = small_step(lr=0.1)
    m2, o2, step = small_step(lr=0.1)
    compiled = bp.compile(step)
    x, y = small_data(5)
    for i in range(20):
        if i == 10:  # momentum 0 -> 0.9 turns on the momentum buffer (`if momentum != 0`)
            o1.param_groups[0]["momentum"] = o2.param_groups[0]["momentum"] = 0.9
        assert eager(x, y).item() == compiled(x, y).item()
    assert same_params(m1, m2)
    assert compiled.stats["traces"] >= 5  # 3 before, 2+ after the switch
    assert "momentum_buffer" in o2.state[m2[0].weight]


def test_grad_after_replay_equals_eager_grad():
    m1, _, eager = small_step()
    m2, _, step = small_step()
    compiled = bp.compile(step)
    for i in range(6):
        x, y = small_data(4, i)
        eager(x, y)
        compiled(x, y)
        for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
            assert np.array_equal(p1.grad.array, p2.grad.array)
    assert compiled.stats["replays"] == 3


def test_reloaded_optimizer_state_is_not_replayed_over():
    m1, o1, eager = small_step(opt="adam")
    m2, o2, step = small_step(opt="adam")
    compiled = bp.compile(step)
    x, y = small_data(4)
    for _ in range(5):
        eager(x, y)
        compiled(x, y)
    saved = o2.state_dict()
    o2.load_state_dict(saved)  # new state arrays: the old tape must not write the old ones
    o1.load_state_dict(o1.state_dict())
    for _ in range(5):
        assert eager(x, y).item() == compiled(x, y).item()
    assert same_params(m1, m2)
    assert o2.state[m2[0].weight]["step"] == 10


def test_eval_mode_and_no_grad_are_part_of_the_signature():
    model, _, _ = small_step()

    def predict(x):
        return model(x)

    compiled = bp.compile(predict)
    x, _ = small_data(3)
    with bp.no_grad():
        outs = [compiled(x) for _ in range(4)]
    model.eval()
    with bp.no_grad():
        out = compiled(x)
    assert all(np.array_equal(o.array, model(x).array) for o in [*outs, out])
    assert len(compiled._cache) == 2


def test_tape_lists_forward_backward_and_update_with_shapes():
    _, _, step = small_step()
    compiled = bp.compile(step)
    x, y = small_data(4)
    with pytest.raises(RuntimeError, match="no tape yet"):
        compiled.tape  # noqa: B018
    for _ in range(3):
        compiled(x, y)
    text = str(compiled.tape)
    lines = text.splitlines()
    assert lines[0].startswith("tape: ")
    assert any("matmul(" in ln and "(4, 4) float32" in ln for ln in lines)
    assert any("tanh(" in ln for ln in lines)
    assert any("<- subtract(" in ln for ln in lines)  # p -= lr * g, into the parameter
    assert any(ln.strip().startswith("$") and "read group 0 lr" in ln for ln in lines)
    rows = compiled.tape.rows()
    assert [r["op"] for r in rows if r["kind"] == "ufunc"].count("matmul") == 5
    assert "def replay(args):" in compiled._last.source


def test_a_returned_loss_is_a_copy_that_later_steps_do_not_change():
    _, _, step = small_step()
    compiled = bp.compile(step)
    x, y = small_data(4)
    losses = [compiled(x, y) for _ in range(6)]
    values = [t.item() for t in losses]
    assert len(set(values)) == 6  # training moves the loss; each step kept its own value


def test_a_returned_value_the_step_also_computed_inside_is_computed_each_replay():
    """The step returns out - y twice: the second is the same ufunc on the same unchanged
    inputs, which the tape computes once for its readers; but each value returned must be
    this step's, not the trace's."""
    def make(model, opt):
        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = nn.MSELoss()(out, y)
            loss.backward()
            opt.step()
            return loss, out - y, out - y
        return step

    runs = []
    for compiled in (False, True):
        model, opt, _ = small_step()
        runs.append(bp.compile(make(model, opt)) if compiled else make(model, opt))
    eager, compiled = runs
    for k in range(6):
        x, y = small_data(4, seed=k)
        (la, *da), (lb, *db) = eager(x, y), compiled(x, y)
        assert la.item() == lb.item(), k
        assert all(np.array_equal(a.array, b.array) for a, b in zip(da, db, strict=True)), k
    assert compiled.stats["replays"] >= 3


def test_a_step_returning_a_dict_of_a_list_a_number_and_a_constant_replays_each():
    def make(model, opt):
        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = nn.MSELoss()(out, y)
            loss.backward()
            opt.step()
            return {"loss": loss, "parts": [out.array, loss * 2], "lr": opt.param_groups[0][
                "lr"], "tag": "mse"}
        return step

    runs = []
    for compiled in (False, True):
        model, opt, _ = small_step()
        step = make(model, opt)
        runs.append(bp.compile(step) if compiled else step)
    eager, compiled = runs
    x, y = small_data(4)
    for _ in range(6):
        a, b = eager(x, y), compiled(x, y)
        assert set(a) == set(b) and a["tag"] == b["tag"] == "mse" and a["lr"] == b["lr"]
        assert a["loss"].item() == b["loss"].item()
        assert type(b["parts"]) is list and type(b["parts"][0]) is np.ndarray
        assert np.array_equal(a["parts"][0], b["parts"][0])
        assert a["parts"][1].item() == b["parts"][1].item()
    assert compiled.stats["replays"] >= 3


def test_cache_stays_bounded():
    _, _, step = small_step()
    compiled = bp.compile(step, max_cache=2)
    for n in range(2, 7):
        x, y = small_data(n)
        for _ in range(3):
            compiled(x, y)
    assert sum(len(v) for v in compiled._cache.values()) == 2


def test_param_groups_with_their_own_learning_rates_are_each_read_at_replay():
    def run(compiled):
        bp.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
        o = bp.optim.SGD([{"params": model[0].parameters(), "lr": 0.05},
                          {"params": model[2].parameters()}], lr=0.1, momentum=0.5)
        step = training_step(model, o, nn.MSELoss())
        run_step = bp.compile(step) if compiled else step
        x, y = small_data(6)
        losses = []
        for i in range(12):
            if i == 6:
                o.param_groups[1]["lr"] = 0.01
            losses.append(run_step(x, y).item())
        return model, losses

    (m1, l1), (m2, l2) = run(False), run(True)
    assert l1 == l2 and same_params(m1, m2)


def test_gradients_accumulated_over_calls_without_zero_grad():
    def run(compiled):
        bp.manual_seed(1)
        model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))

        def accumulate(x, y):
            loss = ((model(x) - y) ** 2).sum()
            loss.backward()
            return loss

        f = bp.compile(accumulate, modules=[model]) if compiled else accumulate
        for i in range(6):
            f(*small_data(5, i))
        return model, f

    (m1, _), (m2, f) = run(False), run(True)
    assert f.stats["replays"] >= 1
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert np.array_equal(p1.grad.array, p2.grad.array)


def test_micrograd_style_update_that_reassigns_data_is_replayed():
    def run(compiled):
        bp.manual_seed(2)
        model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))

        def step(x, y):
            model.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            for p in model.parameters():
                p.array = p.array - 0.2 * p.grad.array
            return loss

        f = bp.compile(step) if compiled else step
        losses = [f(*small_data(4, i % 2)).item() for i in range(8)]
        return model, losses, f

    (m1, l1, _), (m2, l2, f) = run(False), run(True)
    assert f.stats["replays"] >= 4
    assert l1 == l2 and same_params(m1, m2)


def test_frozen_layer_is_read_but_not_updated():
    def run(compiled):
        bp.manual_seed(4)
        model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        model[0].requires_grad_(False)
        o = bp.optim.Adam(model[2].parameters(), lr=0.05)
        step = training_step(model, o, nn.MSELoss())
        f = bp.compile(step) if compiled else step
        return model, [f(*small_data(4, i % 3)).item() for i in range(9)]

    (m1, l1), (m2, l2) = run(False), run(True)
    assert l1 == l2 and same_params(m1, m2)
    assert m2[0].weight.grad is None


def test_step_found_through_a_bound_method():
    class Trainer:
        def __init__(self):
            self.model, self.opt, _ = small_step()

        def step(self, x, y):
            self.opt.zero_grad()
            loss = ((self.model(x) - y) ** 2).mean()
            loss.backward()
            self.opt.step()
            return loss

    trainer = Trainer()
    compiled = bp.compile(trainer.step)
    assert compiled.optimizers == [trainer.opt]
    assert trainer.model in compiled.modules


def test_replay_keeps_the_errstate_the_rules_ran_under(recwarn):
    """BCE takes log(0) under numpy.errstate(divide='ignore'); its replay must too."""
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid())
    o = bp.optim.SGD(model.parameters(), lr=0.1)
    compiled = bp.compile(training_step(model, o, nn.BCELoss()))
    x = bp.tensor(np.array([[1000.0, -1000.0]] * 4, np.float32))  # saturates: p is 0 or 1
    y = bp.tensor(np.ones((4, 3), np.float32))
    with np.errstate(divide="raise"):
        for _ in range(5):
            compiled(x, y)
    assert compiled.stats["replays"] == 2
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(("dtype", "row"), [
    (np.float64, [1.3132638278853044, 1.0597724723183097]),
    (np.float32, [1.7435938, 0.7714669]),
])
def test_a_power_of_a_numpy_scalar_replays_the_scalars_power_not_the_arrays(dtype, row):
    """``(g ** 2).sum() ** 0.5`` (clip_grad_norm_) takes the power of a NumPy scalar, which
    NumPy computes with C's pow; a 0-d array's ``** 0.5`` is sqrt, and the two differ in the
    last bit for about one value in a thousand (these gradients: 1.6875365402608693 against
    1.6875365402608695). The trace held the sum as a 0-d array and replayed sqrt."""
    def run(compiled):
        model = nn.Linear(2, 1, bias=False).to(dtype)
        opt = bp.optim.SGD(model.parameters(), lr=0.0)

        def step(x):
            opt.zero_grad()
            model(x).sum().backward()  # the weight's gradient is the row itself
            norm = nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            return norm

        run_step = bp.compile(step) if compiled else step
        x = bp.tensor(np.array([row], dtype))
        return [run_step(x).array.tobytes() for _ in range(5)], run_step

    (eager, _), (replayed, compiled) = run(False), run(True)
    assert compiled.stats["replays"] >= 2
    assert replayed == eager
