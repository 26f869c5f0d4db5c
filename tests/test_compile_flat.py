"""Flat buffers: the update of every parameter in one call per line, with parameters and state
as views of one buffer; what users do to parameters between calls still gives eager's bits."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from tests.compile_steps import same_bits, training_step

STEPS = 30


def _batches(n_in=3, n_out=2, dtype=np.float32):
    rng = np.random.default_rng(0)
    return [(bp.tensor(rng.standard_normal((6, n_in)).astype(dtype)),
             bp.tensor(rng.standard_normal((6, n_out)).astype(dtype))) for _ in range(3)]


def _model(dtype=np.float32):
    bp.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).to(dtype)


def _compare(build, between=lambda i, model, opt: None, steps=STEPS):
    """Run ``build()``'s (model, optimizer, step) eagerly and compiled with ``between`` before
    each call; every parameter, gradient and state array must agree bit for bit."""
    runs = []
    for compiled in (False, True):
        model, opt, step = build()
        run = bp.compile(step) if compiled else step
        batches = _batches()
        losses = []
        for i in range(steps):
            between(i, model, opt)
            losses.append(run(*batches[i % 3]).item())
        runs.append((model, opt, losses, run))
    (m1, o1, l1, _), (m2, o2, l2, compiled) = runs
    assert l1 == l2
    for (name, p1), p2 in zip(m1.named_parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array), name
        assert (p1.grad is None) == (p2.grad is None), name
        if p1.grad is not None:
            assert same_bits(p1.grad.array, p2.grad.array), name
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    for i, state in s1.items():
        for key, value in state.items():
            assert same_bits(value, s2[i][key]), (i, key)
    return m2, o2, compiled


def _sgd(momentum=0.0, **kw):
    def build():
        model = _model()
        opt = bp.optim.SGD(model.parameters(), lr=0.1, momentum=momentum, **kw)
        return model, opt, training_step(model, opt, nn.MSELoss())
    return build


def _update_calls(compiled) -> int:
    return sum(1 for row in compiled.tape.rows() if row["phase"] == "update" and row["kind"]
               == "ufunc")


@pytest.mark.parametrize(("momentum", "calls"), [(0.0, 2), (0.9, 5)])
def test_sgd_updates_every_parameter_in_one_call_per_line(momentum, calls):
    model, _, compiled = _compare(_sgd(momentum, dampening=0.1 if momentum else 0.0))
    assert _update_calls(compiled) == calls  # not calls per parameter (4 parameters)
    weights = [p.array for p in model.parameters()]
    assert len({id(w.base) for w in weights}) == 1  # views of one buffer
    assert same_bits(model.state_dict()["0.weight"].array, weights[0])


def test_parameters_of_two_dtypes_get_a_buffer_each():
    def build():
        small, wide = _model(np.float32), _model(np.float64)
        opt = bp.optim.SGD([*small.parameters(), *wide.parameters()], lr=0.1, momentum=0.5)
        loss = nn.MSELoss()

        def step(x, y):
            opt.zero_grad()
            a = loss(small(x), y)
            b = loss(wide(x.to(bp.float64)), y.to(bp.float64))
            a.backward()
            b.backward()
            opt.step()
            return a
        return nn.Sequential(small, wide), opt, step

    model, _, compiled = _compare(build)
    bases = {p.array.dtype: p.array.base for p in model.parameters()}
    assert len(bases) == 2 and all(b is not None for b in bases.values())
    assert _update_calls(compiled) == 2 * 5


def test_a_layer_used_twice_is_one_parameter_updated_once():
    def build():
        bp.manual_seed(0)
        shared = nn.Linear(3, 3)
        model = nn.Sequential(shared, nn.Tanh(), shared)
        opt = bp.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
        loss = nn.MSELoss()

        def step(x, y):
            opt.zero_grad()
            out = loss(model(x)[:, :2], y)
            out.backward()
            opt.step()
            return out
        return model, opt, step

    _compare(build)


def test_a_parameter_frozen_mid_run_stops_moving_and_moves_again_unfrozen():
    def freeze(i, model, opt):
        if i == 10:  # the middle one: the others no longer lie one after another
            model[2].weight.requires_grad_(False)
            model[2].weight.grad = None
        if i == 20:  # its .grad is None, as when it was frozen: requires_grad tells them apart
            model[2].weight.requires_grad_(True)

    _, _, compiled = _compare(_sgd(0.9), freeze)
    assert compiled.stats["replays"] >= STEPS // 2


def test_weights_edited_between_calls_are_trained_from_the_edit():
    def edit(i, model, opt):
        if i == 8:
            model[0].weight.array[0, 0] = 0.25  # in place: the same view
        if i == 16:
            model[2].bias.array = np.zeros(2, np.float32)  # a new array: traced again

    _, _, compiled = _compare(_sgd(0.9), edit)
    assert compiled.stats["replays"] >= STEPS // 2


def test_state_dicts_loaded_between_calls_are_trained_from_the_load():
    saved = {}

    def reload(i, model, opt):
        if i == 5:
            saved[id(model)] = (model.state_dict(), opt.state_dict())
            saved[id(model)] = ({k: v.detach().clone() for k, v in saved[id(model)][0].items()},
                                saved[id(model)][1])
        if i == 15:
            weights, state = saved[id(model)]
            model.load_state_dict(weights)
            opt.load_state_dict(state)

    _compare(_sgd(0.9), reload)


def test_eager_steps_between_compiled_ones_see_and_move_the_flat_parameters():
    def build():
        model = _model()
        opt = bp.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return model, opt, training_step(model, opt, nn.MSELoss())

    m1, _, s1 = build()
    m2, _, s2 = build()
    compiled = bp.compile(s2)
    for i, (x, y) in enumerate(_batches() * 6):
        s1(x, y)
        (s2 if i % 5 == 4 else compiled)(x, y)  # every fifth step eager, on the same model
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array)


def _adam():
    model = _model()
    opt = bp.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    return model, opt, training_step(model, opt, nn.MSELoss())


def test_adam_updates_every_parameter_in_one_call_per_line():
    _, opt, compiled = _compare(_adam)
    assert _update_calls(compiled) == 14  # amsgrad Adam's lines, once for all 4 parameters
    assert len({s["step"] for s in opt.state.values()}) == 1


def test_adam_step_counts_that_part_are_traced_again_and_stay_eager_exact():
    def pause(i, model, opt):
        if i == 8:
            model[0].bias.requires_grad_(False)
            model[0].bias.grad = None
        if i == 14:  # back: its step count now lags the others'
            model[0].bias.requires_grad_(True)

    _, opt, compiled = _compare(_adam, pause)
    assert len({s["step"] for s in opt.state.values()}) == 2
    assert compiled.stats["replays"] >= STEPS // 2


def test_fit_and_the_lab_compile_backward_and_update_apart_and_still_fuse_the_update():
    from backproplab.train.step import TrainStep

    runs = []
    for compile_steps in (False, True):
        model = _model()
        opt = bp.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        step = TrainStep(model, nn.MSELoss(), opt, compile=compile_steps)
        losses = []
        for i in range(STEPS):
            losses.append(step.backward(*_batches()[i % 3])[0])
            step.update()
        runs.append((model, losses, step))
    (m1, l1, _), (m2, l2, step) = runs
    assert l1 == l2
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array) and same_bits(p1.grad.array, p2.grad.array)
    assert step.compiled and _update_calls(step._update) == 5  # momentum SGD, all parameters
    assert step._update.stats["replays"] >= STEPS // 2
