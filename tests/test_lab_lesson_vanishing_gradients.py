"""The vanishing-gradients lesson at the lab's default width: its six sigmoid layers starve the
first layer of gradient, and the same network with ReLU — Kaiming (He) weights, bias 0.1, dead
units drawn again — learns the circles seed after seed, through the Session as the page runs
it. (benchmarks/sweep_relu_init.py measures 24 seeds and the alternatives.)"""

import pytest

from backproplab.lab.config import LabConfig
from backproplab.lab.gradients import initialisation
from backproplab.lab.lessons import engine
from backproplab.lab.lessons.readouts import gradient_ratio
from backproplab.lab.session import Session

LESSON = engine.LESSONS["vanishing-gradients"]
EPOCHS = 300
"""The ReLU stage's budget, as its text says ("about 300 epochs")."""


def _stage(stage: int, seed: int) -> Session:
    session = Session()
    engine.open_stage(session, "vanishing-gradients", stage)
    session.configure(session.config.updated({"seed": seed}))
    return session


def test_the_lesson_network_is_six_layers_of_the_labs_default_width():
    default = LabConfig().hidden[0]
    for stage in range(len(LESSON.stages)):
        assert LESSON.stage_config(stage).hidden == (default,) * 6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_relu_stage_learns_the_circles_with_gradient_reaching_the_first_layer(seed):
    session = _stage(1, seed)
    assert initialisation(session.network).startswith("Kaiming (He) uniform before relu")
    while session.epoch < EPOCHS and (session.log.last("accuracy") or 0) < 0.95:
        session.step("epoch")
    assert session.log.last("accuracy") >= 0.95, f"seed {seed}: not learned in {EPOCHS} epochs"
    assert gradient_ratio(session, None)[0] > 1e-2


@pytest.mark.parametrize("seed", [0, 1])
def test_the_sigmoid_stage_still_starves_the_first_layer_and_guesses(seed):
    session = _stage(0, seed)
    assert gradient_ratio(session, None)[0] < 1e-3
    for _ in range(20):
        session.step("epoch")
    assert gradient_ratio(session, None)[0] < 1e-3
    assert session.log.last("accuracy") < 0.7
