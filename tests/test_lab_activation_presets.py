"""Choosing a hidden activation sets a learning rate it learns with: a deep ReLU network on
the lab's defaults dies or blows up at tanh's 0.5 (issue 9 item 3)."""

import pytest

from backproplab.lab import config as lab_config
from backproplab.lab.config import ACTIVATION_PRESETS, DATASET_PRESETS, LabConfig
from backproplab.lab.session import Session
from backproplab.lab.workers import welcome


def test_every_hidden_activation_has_a_valid_preset():
    assert set(ACTIVATION_PRESETS) == set(lab_config.HIDDEN_ACTIVATIONS)
    for name, preset in ACTIVATION_PRESETS.items():
        LabConfig().updated({"activation": name, **preset})  # raises on a bad value


def test_the_default_run_is_unchanged():
    default = LabConfig()
    assert ACTIVATION_PRESETS[default.activation]["lr"] == default.lr
    assert ACTIVATION_PRESETS["sigmoid"]["lr"] == default.lr


def test_the_welcome_carries_the_presets():
    assert welcome(Session())["choices"]["activation_presets"] == ACTIVATION_PRESETS


def _accuracy_after(seed: int, epochs: int) -> float:
    session = Session()
    changes = {"dataset": "circles", **DATASET_PRESETS["circles"], "hidden": (4,) * 6,
               "activation": "relu", **ACTIVATION_PRESETS["relu"], "seed": seed}
    session.configure(session.config.updated(changes))
    for _ in range(epochs):
        session.step("epoch")
    return session.log.last("accuracy")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_deep_relu_network_learns_with_the_defaults_and_its_preset(seed):
    assert _accuracy_after(seed, 300) >= 0.95
