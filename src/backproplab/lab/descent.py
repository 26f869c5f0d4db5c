"""The gradient descent mode: ``bp.explain.descend`` on a textbook function, plus the surface
the page draws the path on.

The functions are the explain package's own (x², a double well with a local and a global
minimum, a narrow valley, Rosenbrock's banana, Himmelblau's four minima), so
the path is the engine's gradients moved by a real ``bp.optim`` optimizer: plain
``x ← x - lr·∇f(x)`` steps for "sgd", or momentum, Adam, RMSprop… from ``bp.train``'s registry.
"""

import base64

import numpy

from backproplab import explain
from backproplab.autograd.grad_mode import no_grad
from backproplab.tensor import Tensor

SURFACE_SIZE = 80
SCALE_LIMIT = 1e4
"""The most a plot widens to follow a path: further out a diverging path has left the numbers
worth drawing (``bp.explain.descend`` calls |x| > 1e6 diverged)."""

COMPARED_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "rmsprop")
"""The optimizers "Compare optimizers" runs side by side at one learning rate."""

FUNCTIONS = {
    "square": {"f": explain.square, "dims": 1, "extent": [-3.0, 3.0], "label": "f(x) = x²",
               "name": "f(x) = x²", "start": [2.5], "lr": 0.1,
               "minima": [{"at": [0.0], "kind": "global"}]},
    "double_well": {"f": explain.double_well, "dims": 1, "extent": [-2.0, 2.0],
                    "label": "f(x) = x⁴ - 2x² + 0.3x", "name": "double well (2 minima)",
                    "start": [1.6], "lr": 0.05,
                    "minima": [{"at": [-1.035579], "kind": "global"},
                               {"at": [0.960150], "kind": "local"}]},
    "narrow_valley": {"f": explain.narrow_valley, "dims": 2, "extent": [-3.0, 3.0, -1.5, 1.5],
                      "label": "f(x₁, x₂) = x₁² + 25x₂²", "name": "narrow valley",
                      "start": [-2.5, 1.0], "lr": 0.01,
                      "minima": [{"at": [0.0, 0.0], "kind": "global"}]},
    "rosenbrock": {"f": explain.rosenbrock, "dims": 2, "extent": [-2.0, 2.0, -1.0, 3.0],
                   "label": "f(x₁, x₂) = (1 - x₁)² + 100(x₂ - x₁²)²", "name": "Rosenbrock banana",
                   "start": [-1.5, 2.0], "lr": 0.001,
                   "minima": [{"at": [1.0, 1.0], "kind": "global"}]},
    "himmelblau": {"f": explain.himmelblau, "dims": 2, "extent": [-5.0, 5.0, -5.0, 5.0],
                   "label": "f(x₁, x₂) = (x₁² + x₂ - 11)² + (x₁ + x₂² - 7)²",
                   "name": "Himmelblau (4 minima)", "start": [-0.5, -0.5], "lr": 0.01,
                   "minima": [{"at": [3.0, 2.0], "kind": "global"},
                              {"at": [-2.805118, 3.131312], "kind": "global"},
                              {"at": [-3.779310, -3.283186], "kind": "global"},
                              {"at": [3.584428, -1.848126], "kind": "global"}]},
}
"""Each function the mode offers: where the page draws it (``extent``: x range, then the
y range for two variables), a start and learning rate that show its lesson, and its minima
(textbook values to 6 decimals) for the page to mark."""

FUNCTION_NAMES = tuple(FUNCTIONS)


def function_choices() -> dict:
    """What the page needs to offer each function: everything but the function itself."""
    return {name: {k: v for k, v in entry.items() if k != "f"} for name, entry in FUNCTIONS.items()}


def descent_path(name: str, start: list[float], lr: float, steps: int,
                 optimizer: str = "sgd") -> dict:
    """The path of ``steps`` steps of ``optimizer`` on function ``name`` from ``start``."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}; valid: {', '.join(FUNCTIONS)}")
    entry = FUNCTIONS[name]
    if len(start) != entry["dims"]:
        raise ValueError(f"{name} takes a start of {entry['dims']} number(s), got {len(start)}")
    x0 = start[0] if entry["dims"] == 1 else start
    path = explain.descend(entry["f"], x0, lr, steps, optimizer=optimizer).to_dict()
    extent = path_extent(entry["extent"], path["points"])
    return {"function": name, "label": entry["label"], "extent": extent,
            "minima": entry["minima"], "path": path, "surface": surface(name, extent)}


def path_extent(extent: list[float], points: list) -> list[float]:
    """The function's ``extent`` scaled about its centre just enough (and 5 % more) to hold
    every finite point of the path, so a path that zig-zags outwards stays on the plot. The
    scaled boxes of one function are nested: the page draws several paths on the widest."""
    corners = numpy.asarray(extent, dtype=float).reshape(-1, 2)  # one row (lo, hi) per axis
    centre, half = corners.mean(axis=1), (corners[:, 1] - corners[:, 0]) / 2
    finite = [numpy.atleast_1d(numpy.asarray(p, dtype=float)) for p in points
              if p is not None and numpy.all(numpy.isfinite(numpy.asarray(p, dtype=float)))]
    if not finite:
        return extent
    reach = max(float((numpy.abs(p - centre) / half).max()) for p in finite)
    scale = min(max(1.0, 1.05 * reach), SCALE_LIMIT)
    if scale == 1.0:
        return extent
    return [round(float(v), 6) for c, h in zip(centre, half, strict=True)
            for v in (c - scale * h, c + scale * h)]


def surface(name: str, extent: list[float] | None = None) -> dict:
    """f over the plot (``extent``, the function's own by default): a curve for one variable,
    log(1 + f) as base64 bytes for two."""
    entry = FUNCTIONS[name]
    f, extent = entry["f"], extent or entry["extent"]
    with no_grad():
        if entry["dims"] == 1:
            xs = numpy.linspace(extent[0], extent[1], 200)
            return {"xs": xs.round(4).tolist(), "ys": f(Tensor(xs)).array.round(5).tolist()}
        n = SURFACE_SIZE
        gx, gy = numpy.meshgrid(numpy.linspace(extent[0], extent[1], n),
                                numpy.linspace(extent[3], extent[2], n))
        values = f(Tensor(numpy.stack([gx.ravel(), gy.ravel()]))).array
    levels = numpy.log1p(numpy.maximum(values, 0))
    scaled = 255 * (levels - levels.min()) / max(float(levels.max() - levels.min()), 1e-12)
    return {"size": n, "values": base64.b64encode(scaled.astype(numpy.uint8).tobytes()).decode()}
