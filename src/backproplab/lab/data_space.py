"""What the data-space panel draws: the network's output over a grid, a curve for 1-D data,
the latent space and reconstructions of an autoencoder, and each row's prediction and error;
and, from the same forward pass, every neuron's own map for the network panel.

Grids travel as base64 bytes (one byte per cell), so a 100×100 heatmap is 10 KB per frame;
the table's predictions, errors and reconstructions as base64 float32s.
"""

import base64
import functools
import math

import numpy

from backproplab.lab import limits, neuron_maps


def _bytes(values: numpy.ndarray) -> str:
    return base64.b64encode(numpy.asarray(values, dtype=numpy.uint8).tobytes()).decode()


def _float32_bytes(values: numpy.ndarray) -> str:
    """Little-endian float32 bytes in base64: what a JavaScript ``Float32Array`` reads."""
    return base64.b64encode(numpy.ascontiguousarray(values, dtype="<f4").tobytes()).decode()


def grid_points(extent: list[float], size: int) -> numpy.ndarray:
    """Cell centres of a size×size grid over [xmin, xmax]×[ymin, ymax], row 0 at the top
    (read-only: the same array is handed out for the same grid, made once per extent)."""
    return _grid_points(tuple(extent), size)


@functools.lru_cache(maxsize=2 * limits.MAX_SESSIONS)
def _grid_points(extent: tuple[float, ...], size: int) -> numpy.ndarray:
    x0, x1, y0, y1 = extent
    xs = x0 + (numpy.arange(size) + 0.5) * (x1 - x0) / size
    ys = y1 - (numpy.arange(size) + 0.5) * (y1 - y0) / size
    gx, gy = numpy.meshgrid(xs, ys)
    points = numpy.stack([gx.ravel(), gy.ravel()], axis=1).astype(numpy.float32)
    points.flags.writeable = False
    return points


def heatmaps(network, points) -> tuple[dict, dict]:
    """The output over the data space (a 2-D grid, or a curve when the data is 1-D) and every
    neuron's map (``neuron_maps``), both from one forward pass over the grid."""
    extent = points.extent()
    if points.x.shape[1] == 1:
        xs = numpy.linspace(extent[0], extent[1], 200, dtype=numpy.float32)
        layers = network.layer_outputs(xs[:, None])
        ys = layers[-1][:, 0]
        picked = slice(0, None, neuron_maps.CURVE_STRIDE)
        neurons = neuron_maps.neuron_maps("curve", [a[picked] for a in layers],
                                          xs=numpy.round(xs[picked], 5).tolist())
        return ({"kind": "curve", "extent": extent, "xs": numpy.round(xs, 5).tolist(),
                 "ys": _finite(ys)}, neurons)
    size = limits.HEATMAP_SIZE
    layers = network.layer_outputs(grid_points(extent, size))
    neurons = neuron_maps.neuron_maps("grid", neuron_maps.grid_values(layers), extent=extent,
                                      size=limits.NEURON_MAP_SIZE)
    out = layers[-1]
    base = {"extent": extent, "size": size}
    if points.task == "binary":
        return {**base, "kind": "binary", "values": _bytes(_unit(out[:, 0]) * 255)}, neurons
    if points.task == "multiclass":
        return {**base, "kind": "multiclass", "classes": _bytes(out.argmax(axis=1)),
                "values": _bytes(_unit(out.max(axis=1)) * 255)}, neurons
    lo, hi = float(points.y.min()), float(points.y.max())
    scaled = (out[:, 0] - lo) / (hi - lo if hi > lo else 1.0)
    return {**base, "kind": "regression", "range": [lo, hi],
            "values": _bytes(_unit(scaled) * 255)}, neurons


def predictions(network, points, page: slice) -> dict:
    """The rows of the table ``page`` on show (from ``start``): each one's prediction and
    error. The table shows a page at a time, so the other rows' are not computed: a 6×32
    network's 2,000 rows were a millisecond's forward pass and 35 KB of JSON numbers a frame.

    Predictions and errors travel as the engine's float32s (base64, ``_float32_bytes``), as
    the network's weights do: rounded to 5 decimals, a prediction of 5.24e-4 was shown as
    5.20e-4 beside the network's 5.24e-4, and one of 0.999994 as 1 with an error of 0 while
    the row's loss was not 0. A page of 100 rows is 536 characters each, less than its
    rounded JSON numbers. A class (a multiclass prediction) stays an integer. An
    autoencoder's prediction is its reconstruction, its error the row's loss, computed from
    the same outputs."""
    x, y = points.x[page], points.y[page]
    out = network.outputs(x)
    shown = {"start": page.start}
    if points.task == "binary":
        p = out[:, 0]
        return {**shown, "prediction": _float32_bytes(p),
                "error": _float32_bytes(numpy.abs(y[:, 0] - p))}
    if points.task == "multiclass":
        p_true = out[numpy.arange(len(out)), y.astype(int)]
        return {**shown, "prediction": out.argmax(axis=1).tolist(),
                "error": _float32_bytes(1 - p_true)}
    if points.task == "regression":
        return {**shown, "prediction": _float32_bytes(out[:, 0]),
                "error": _float32_bytes(numpy.abs(y[:, 0] - out[:, 0]))}
    return {**shown, "reconstruction": {"start": page.start, "width": int(out.shape[1]),
                                        "values": _float32_bytes(out)},
            "error": _float32_bytes(network.row_losses(out, y))}


def autoencoder_view(network, points, count: int = 8) -> tuple[dict, dict]:
    """The 2-D code of every point (first two code units) and a few reconstructions; and each
    neuron's output on those few samples (an autoencoder's inputs have no plane to map)."""
    code = network.encode(points.x)
    shown = numpy.arange(min(count, len(points)))
    if points.info.name != "encoder" and len(points) > count:
        shown = numpy.linspace(0, len(points) - 1, count).astype(int)
    layers = network.layer_outputs(points.x[shown])
    view = {
        "latent": _finite(code[:, :2].ravel()),
        "code_size": int(code.shape[1]),
        "labels": None if points.labels is None else points.labels.astype(int).tolist(),
        "inputs": _finite(points.x[shown].ravel()),
        "outputs": _finite(layers[-1].ravel()),
        "width": int(points.x.shape[1]),
    }
    return view, neuron_maps.neuron_maps("samples", layers, rows=shown.tolist())


def _unit(v: numpy.ndarray) -> numpy.ndarray:
    return numpy.clip(numpy.nan_to_num(v, nan=0.5), 0.0, 1.0)


def _finite(v) -> list:
    """Rounded floats, with None where a value is NaN or infinite (JSON has no NaN)."""
    a = numpy.round(numpy.asarray(v, dtype=numpy.float64), 5)
    if numpy.isfinite(a).all():  # the usual case: no per-number check in Python
        return a.tolist()
    return [x if math.isfinite(x) else None for x in a.tolist()]
