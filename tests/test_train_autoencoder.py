"""Autoencoders through fit: the 8-3-8 encoder invents eight distinct codes, and on digits the
reconstruction error is judged against PCA with the same number of components."""

import numpy
import pytest

import backproplab as bp
from backproplab import data, nn, train
from backproplab.train.pca_reference import pca_reconstruction_mse


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_8_3_8_encoder_gives_eight_distinct_codes(seed):
    ds = data.make_encoder()
    bp.manual_seed(seed)
    model = nn.Autoencoder(8, bottleneck=3, activation="sigmoid")
    train.fit(model, ds.x, loss="bce_with_logits", lr=0.05, epochs=500, batch_size=8,
              verbose=0)
    with bp.no_grad():
        codes = model.encode(bp.from_numpy(ds.x)).array
        recon = model(bp.from_numpy(ds.x)).array
    distances = numpy.linalg.norm(codes[:, None] - codes[None], axis=-1)
    off_diagonal = distances[~numpy.eye(8, dtype=bool)]
    assert off_diagonal.min() > 0.5
    assert (recon.argmax(axis=1) == numpy.arange(8)).all()


def _pca_by_eigendecomposition(x, k):
    centered = x - x.mean(axis=0)
    values, vectors = numpy.linalg.eigh(centered.T @ centered)
    top = vectors[:, numpy.argsort(values)[::-1][:k]]
    return float(((centered - centered @ top @ top.T) ** 2).mean())


@pytest.mark.parametrize("k", [1, 2, 5])
def test_pca_reconstruction_mse_matches_an_eigendecomposition(k):
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(60, 6)) @ rng.normal(size=(6, 6)) + 3.0
    assert pca_reconstruction_mse(x, k) == pytest.approx(_pca_by_eigendecomposition(x, k),
                                                         rel=1e-9)


def test_pca_with_all_components_reconstructs_exactly_and_errors_fall_with_k():
    x = numpy.random.default_rng(1).normal(size=(30, 4))
    errors = [pca_reconstruction_mse(x, k) for k in range(5)]
    assert errors == sorted(errors, reverse=True)
    assert errors[0] == pytest.approx(x.var(axis=0).mean())
    assert errors[4] == pytest.approx(0.0, abs=1e-20)


def test_digits_pca_reference_matches_scikit_learn():
    pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA

    x = data.load_digits().x.astype(numpy.float64)
    pca = PCA(n_components=2).fit(x)
    expected = float(((pca.inverse_transform(pca.transform(x)) - x) ** 2).mean())
    assert pca_reconstruction_mse(x, 2) == pytest.approx(expected, rel=1e-6)
