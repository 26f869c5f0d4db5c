"""What every neuron has learned, as small maps the network panel draws inside each neuron:
its output over the data space (2-D data), its curve over x (1-D data), or its output on
the few samples an autoencoder's data space shows.

The maps are cut from the forward pass that draws the data space's heatmap
(``LabNetwork.layer_outputs`` keeps every layer's output), never computed a second time: the
``NEURON_MAP_SIZE``² map takes every ``STRIDE``-th cell of the ``HEATMAP_SIZE``² grid, whose
centres are exactly the centres of a ``NEURON_MAP_SIZE``² grid over the same rectangle.

Each neuron travels as one byte a cell, scaled to that neuron's own [lo, hi] (sent beside
it), all neurons of the network in one base64 string: 193 neurons of a 6×32 network are 77 KB
of bytes a frame, where float32s would be 310 KB.
"""

import base64
import itertools

import numpy

from backproplab.lab import limits

STRIDE = limits.HEATMAP_SIZE // limits.NEURON_MAP_SIZE
if STRIDE * limits.NEURON_MAP_SIZE != limits.HEATMAP_SIZE or STRIDE % 2 == 0:
    raise ValueError("HEATMAP_SIZE must be an odd multiple of NEURON_MAP_SIZE, so the small "
                     "grid's cell centres are cells of the large one")
CURVE_STRIDE = 4
"""A neuron's curve takes every 4th of the data-space curve's 200 points."""


def grid_values(layers: list[numpy.ndarray]) -> list[numpy.ndarray]:
    """Each layer's (NEURON_MAP_SIZE², neurons) outputs on the small grid, cut from its
    (HEATMAP_SIZE², neurons) outputs on the data space's grid (rows top to bottom)."""
    big, small = limits.HEATMAP_SIZE, limits.NEURON_MAP_SIZE
    start = STRIDE // 2
    return [a.reshape(big, big, -1)[start::STRIDE, start::STRIDE].reshape(small * small, -1)
            for a in layers]


def neuron_maps(kind: str, values: list[numpy.ndarray], **extra) -> dict:
    """The frame's ``neurons``: layer 0 is the model's inputs (the features), then each layer's
    neurons; ``values[l]`` is (cells, neurons) and every neuron is quantised on its own range.
    All layers are scaled side by side as one (cells, every neuron) array, in their own float32
    when finite (the usual case); only values holding NaN or ±inf are cleaned first (NaN as 0,
    ±inf as ±1e6)."""
    a = numpy.concatenate([numpy.asarray(v) for v in values], axis=1)
    lo, hi = a.min(axis=0), a.max(axis=0)
    if not (numpy.isfinite(lo).all() and numpy.isfinite(hi).all()):
        a = numpy.nan_to_num(a.astype(numpy.float64), nan=0.0, posinf=1e6, neginf=-1e6)
        lo, hi = a.min(axis=0), a.max(axis=0)
    scaled = (a - lo) * (255 / numpy.where(hi > lo, hi - lo, 1))
    data = numpy.rint(scaled, out=scaled).astype(numpy.uint8).T.ravel()  # neuron by neuron
    lows, highs = _rounded(lo), _rounded(hi)
    cuts = itertools.pairwise(numpy.cumsum([0] + [v.shape[1] for v in values]))
    return {"kind": kind, "cells": int(a.shape[0]),
            "layers": [{"lo": lows[i:j], "hi": highs[i:j]} for i, j in cuts],
            "values": base64.b64encode(data.tobytes()).decode(), **extra}


def decode(neurons: dict) -> list[numpy.ndarray]:
    """The (cells, neurons) values a page reads from ``neurons`` (for tests and notebooks)."""
    data = numpy.frombuffer(base64.b64decode(neurons["values"]), dtype=numpy.uint8)
    cells, out, at = neurons["cells"], [], 0
    for layer in neurons["layers"]:
        lo, hi = numpy.array(layer["lo"]), numpy.array(layer["hi"])
        n = len(lo)
        q = data[at:at + n * cells].reshape(n, cells).T / 255.0
        out.append(lo + q * numpy.where(hi > lo, hi - lo, 0.0))
        at += n * cells
    return out


def _rounded(a: numpy.ndarray) -> list[float]:
    return numpy.round(a.astype(numpy.float64), 6).tolist()
