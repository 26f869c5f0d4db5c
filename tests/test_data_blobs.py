import numpy

from backproplab.data import make_gaussians
from backproplab.data.blobs import blob_centres


def test_noiseless_points_sit_on_their_class_centre():
    ds = make_gaussians(n=60, noise=0.0, seed=0, classes=4, radius=3.0)
    numpy.testing.assert_allclose(ds.x, blob_centres(4, 3.0)[ds.y], atol=1e-6)
    numpy.testing.assert_allclose(numpy.linalg.norm(blob_centres(4, 3.0), axis=1), 3.0)


def test_clusters_are_balanced_and_centred_with_given_spread():
    ds = make_gaussians(n=3000, noise=0.5, seed=1, classes=3)
    assert ds.y.dtype == numpy.int64 and ds.info.n_classes == 3 and ds.info.n_outputs == 3
    assert numpy.bincount(ds.y).tolist() == [1000, 1000, 1000]
    for j, centre in enumerate(blob_centres(3, 2.0)):
        cluster = ds.x[ds.y == j]
        numpy.testing.assert_allclose(cluster.mean(axis=0), centre, atol=0.06)
        numpy.testing.assert_allclose(cluster.std(axis=0), 0.5, atol=0.05)


def test_two_gaussians_are_binary():
    assert make_gaussians(n=10, seed=0, classes=2).y.shape == (10, 1)
