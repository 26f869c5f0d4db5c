import re

import numpy
import pytest

import backproplab as bp
from backproplab.data import DATASETS, dataset_names, load_dataset
from backproplab.data.limits import MAX_SAMPLES

SYNTHETIC = [name for name, entry in DATASETS.items() if not entry.needs_sklearn]
EXPECTED_TARGET = {
    "binary": (numpy.float32, 2),
    "regression": (numpy.float32, 2),
    "autoencoder": (numpy.float32, 2),
    "multiclass": (numpy.int64, 1),
}


def test_registry_lists_every_built_in_dataset():
    assert set(dataset_names()) == {
        "xor", "and", "or", "linear", "circles", "moons", "spirals", "gaussians",
        "checkerboard", "sine", "polynomial", "plane", "bump", "encoder", "iris", "digits"}


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_seed_same_data_different_seed_different_data(name):
    a = load_dataset(name, n=64, noise=0.1, seed=1)
    b = load_dataset(name, n=64, noise=0.1, seed=1)
    c = load_dataset(name, n=64, noise=0.1, seed=2)
    numpy.testing.assert_array_equal(a.x, b.x)
    numpy.testing.assert_array_equal(a.y, b.y)
    assert not numpy.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_metadata_matches_the_arrays(name):
    ds = load_dataset(name, n=40, seed=0)
    info = ds.info
    dtype, ndim = EXPECTED_TARGET[info.task]
    assert len(ds) == 40 and ds.x.shape == (40, info.n_features)
    assert ds.x.dtype == numpy.float32 and ds.y.dtype == dtype and ds.y.ndim == ndim
    if info.task == "multiclass":
        assert info.n_outputs == info.n_classes > ds.y.max()
    else:
        assert ds.y.shape[1] == info.n_outputs
    assert len(info.feature_names) == info.n_features


def test_unseeded_datasets_follow_manual_seed():
    bp.manual_seed(11)
    a = load_dataset("moons")
    bp.manual_seed(11)
    numpy.testing.assert_array_equal(a.x, load_dataset("moons").x)


def test_dataset_options_are_passed_through():
    assert load_dataset("spirals", n=30, seed=0, classes=3).info.n_classes == 3


def test_unknown_name_lists_valid_names():
    listing = re.escape(", ".join(dataset_names()))
    with pytest.raises(ValueError, match=f"unknown dataset 'spiral'; valid names are: {listing}"):
        load_dataset("spiral")


def test_unknown_option_lists_accepted_ones():
    with pytest.raises(TypeError, match="does not take classes; it takes: n, noise, seed"):
        load_dataset("xor", classes=3)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": MAX_SAMPLES + 1}, "n must be between"),
    ({"n": 0}, "n must be between"),
    ({"noise": -0.1}, "noise must be between"),
])
def test_limits_are_enforced(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_dataset("circles", **kwargs)
