"""The lab's configuration and its URL form."""

import pytest

from backproplab.lab import limits
from backproplab.lab.config import DATASET_PRESETS, TRAIN_DATASETS, LabConfig, from_query, to_query


def test_default_is_xor_on_a_2_4_1_network():
    config = LabConfig()
    assert config.dataset == "xor" and config.hidden == (4,)


def test_default_config_has_an_empty_query():
    assert to_query(LabConfig()) == ""
    assert from_query("") == LabConfig()


@pytest.mark.parametrize("changes", [
    {"dataset": "moons", "hidden": (8, 8), "lr": 0.01, "optimizer": "adam", "points": 300},
    {"dataset": "sine", "loss": "mse", "hidden": (), "l2": 0.001, "test_fraction": 0.25},
    {"mode": "autoencoder", "dataset": "encoder", "bottleneck": 3, "hidden": ()},
    {"seed": 12345, "data_seed": 7, "speed": 3, "batch_size": 1, "activation": "relu"},
])
def test_url_query_round_trips_the_config(changes):
    config = LabConfig().updated(changes)
    assert from_query(to_query(config)) == config
    assert from_query("?" + to_query(config)) == config


@pytest.mark.parametrize("query, words", [
    ("lr=100", "lr"),
    ("hidden=4,4,4,4,4,4,4", "hidden"),
    (f"hidden={limits.MAX_NEURONS + 1}", "hidden"),
    (f"points={limits.MAX_POINTS + 1}", "points"),
    ("dataset=mnist", "unknown dataset"),
    ("colour=red", "unknown setting"),
    ("mode=autoencoder", "does not fit"),
    ("activation=softmax", "unknown activation"),
])
def test_bad_url_queries_are_refused_with_the_reason(query, words):
    with pytest.raises(ValueError, match=words):
        from_query(query)


def test_every_offered_dataset_has_a_preset():
    assert set(TRAIN_DATASETS) <= set(DATASET_PRESETS)
