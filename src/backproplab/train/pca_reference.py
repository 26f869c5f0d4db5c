"""PCA with k components: the reference an autoencoder's reconstruction error is judged by.

A linear autoencoder with a k-unit bottleneck can at best match PCA with k components, so the
PCA error tells a learner whether their (nonlinear) autoencoder learned anything beyond it.
"""

import numpy


def pca_reconstruction_mse(x, k: int) -> float:
    """Mean squared error of reconstructing ``x`` from its top-``k`` principal components."""
    x = numpy.asarray(x, dtype=numpy.float64)
    mean = x.mean(axis=0)
    centered = x - mean
    _, _, vt = numpy.linalg.svd(centered, full_matrices=False)
    basis = vt[:k]
    recon = centered @ basis.T @ basis + mean
    return float(((recon - x) ** 2).mean())
