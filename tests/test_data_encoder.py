import numpy

from backproplab.data import make_encoder


def test_encoder_inputs_and_targets_are_the_eight_one_hots():
    ds = make_encoder()
    numpy.testing.assert_array_equal(ds.x, numpy.eye(8))
    numpy.testing.assert_array_equal(ds.y, numpy.eye(8))
    assert ds.x.dtype == numpy.float32
    assert ds.info.task == "autoencoder" and ds.info.n_outputs == 8


def test_n_repeats_patterns_cyclically():
    ds = make_encoder(n=20, bits=4)
    numpy.testing.assert_array_equal(ds.y.argmax(axis=1), numpy.arange(20) % 4)


def test_noise_perturbs_inputs_but_targets_stay_clean():
    ds = make_encoder(n=16, noise=0.1, seed=0)
    numpy.testing.assert_array_equal(ds.y, numpy.eye(8)[numpy.arange(16) % 8])
    assert not numpy.array_equal(ds.x, ds.y)
    numpy.testing.assert_array_equal(ds.x.argmax(axis=1), ds.y.argmax(axis=1))
