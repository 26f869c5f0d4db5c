"""Learning-rate schedules: the same sequence as torch.optim.lr_scheduler, and resumable."""

import json

import pytest

import backproplab as bp
from backproplab.optim import lr_scheduler

EPOCHS = 40

SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 15, "eta_min": 0.01}),
]
IDS = [f"{name}-{kw}" for name, kw in SCHEDULES]

# A metric that improves, stalls, improves a little and stalls again.
METRICS = [1.0 / (e + 1) if e < 10 else (0.09 if e < 25 else 0.0899999) for e in range(EPOCHS)]
PLATEAU = [
    {},
    {"patience": 2, "factor": 0.5, "cooldown": 3},
    {"patience": 1, "threshold": 0.01, "threshold_mode": "abs", "min_lr": 0.02},
    {"mode": "max", "patience": 0},
]


def _optimizer(lr=0.1):
    return bp.optim.SGD([bp.nn.Parameter(bp.ones(1))], lr=lr)


def _lrs(scheduler, opt, metrics=None):
    seen = []
    for epoch in range(EPOCHS):
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[epoch])
        seen.append(scheduler.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == seen[-1]
    return seen


def _torch_lrs(torch, name, kwargs, metrics=None):
    param = torch.nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([param], lr=0.1)
    scheduler = getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)
    return _lrs(scheduler, opt, metrics)


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=IDS)
def test_schedule_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    opt = _optimizer()
    ours = _lrs(getattr(lr_scheduler, name)(opt, **kwargs), opt)
    assert ours == _torch_lrs(torch, name, kwargs)
    assert len(set(ours)) > 3


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    metrics = METRICS if kwargs.get("mode") != "max" else [-m for m in METRICS]
    opt = _optimizer()
    ours = _lrs(lr_scheduler.ReduceLROnPlateau(opt, **kwargs), opt, metrics)
    assert ours == _torch_lrs(torch, "ReduceLROnPlateau", kwargs, metrics)


def test_step_lr_decays_every_step_size_epochs():
    opt = _optimizer(1.0)
    scheduler = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    seen = []
    for _ in range(5):
        scheduler.step()
        seen.append(scheduler.get_last_lr()[0])
    assert seen == [1.0, 0.5, 0.5, 0.25, 0.25]


def test_cosine_reaches_eta_min_at_t_max():
    opt = _optimizer(1.0)
    scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.1)
    for _ in range(8):
        scheduler.step()
    assert scheduler.get_last_lr()[0] == pytest.approx(0.1, abs=1e-15)


def test_reduce_on_plateau_waits_patience_epochs_then_reduces():
    opt = _optimizer(1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.1)
    for metric in [1.0, 1.0, 1.0]:
        scheduler.step(metric)
    assert scheduler.get_last_lr() == [1.0]
    scheduler.step(1.0)
    assert scheduler.get_last_lr() == [pytest.approx(0.1)]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=IDS)
def test_state_dict_through_json_resumes_the_same_schedule(name, kwargs):
    opt = _optimizer()
    straight = getattr(lr_scheduler, name)(opt, **kwargs)
    expected = []
    for _ in range(20):
        straight.step()
        expected.append(straight.get_last_lr()[0])

    opt1 = _optimizer()
    first = getattr(lr_scheduler, name)(opt1, **kwargs)
    seen = []
    for _ in range(8):
        first.step()
        seen.append(first.get_last_lr()[0])
    saved_sched = json.loads(json.dumps(first.state_dict()))
    saved_opt = opt1.state_dict()
    opt2 = _optimizer()
    opt2.load_state_dict(saved_opt)
    resumed = getattr(lr_scheduler, name)(opt2, **kwargs)
    resumed.load_state_dict(saved_sched)
    for _ in range(12):
        resumed.step()
        seen.append(resumed.get_last_lr()[0])
    assert seen == expected


def test_reduce_on_plateau_state_dict_resumes_counters():
    opt = _optimizer(1.0)
    first = lr_scheduler.ReduceLROnPlateau(opt, patience=3)
    for metric in [1.0, 2.0, 2.0]:
        first.step(metric)
    resumed = lr_scheduler.ReduceLROnPlateau(opt, patience=3)
    resumed.load_state_dict(json.loads(json.dumps(first.state_dict())))
    assert resumed.best == 1.0 and resumed.num_bad_epochs == 2


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)
