"""Shared test setup: a deterministic hypothesis profile and a clean global state per test."""

import os

import pytest
from hypothesis import HealthCheck, settings

import backproplab as bp

# "engine" (the default, used by CI) is derandomized so every run draws the same examples;
# HYPOTHESIS_PROFILE=thorough explores many more, randomly, when hunting for bugs locally.
settings.register_profile(
    "engine",
    max_examples=20,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "engine"))


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Undo what a failing test may leave behind: default dtype, grad mode, anomaly mode."""
    yield
    bp.set_default_dtype(bp.float32)
    bp.set_grad_enabled(True)
    bp.autograd.anomaly.state.enabled = False
