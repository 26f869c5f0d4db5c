"""Random programs run on backproplab and on PyTorch side by side: a differential fuzz.

A program starts from 1-3 float64 leaves of small, mutually broadcastable shapes and applies
3-12 ops, each drawn from ``OPS`` (every differentiable op the engine has: arithmetic,
elementwise math, activations, reductions, softmax, shape changes, indexing, selection,
matmul, losses, in-place changes and views), with operands drawn from every tensor made so
far, so broadcasting and indexing mix freely. After every op the two libraries' values must
agree; at the end so must the gradients of every leaf, and, for a share of programs, the
Hessian-vector products. Where both libraries raise, the program simply ends; where only one
raises, that is a failure too.

Domains are kept where the math is smooth: logarithms, roots, divisors and powers see
``x·x + 0.5``; the arguments of max-like ops get distinct tiny offsets, so no tie decides a
gradient; values are rescaled when they grow past 4, so nothing overflows. Everything comes
from one seed, so a failure is reproduced by its seed alone.
"""

import numpy

RTOL = 1e-7
ATOL_SCALE = 1e-10  # absolute slack, relative to the largest magnitude compared (cancellation)
MAX_ELEMENTS = 48


class Mismatch(AssertionError):
    pass


def _pos(x):
    return x * x + 0.5


def _jitter(c, x):
    return x + c["lib"].tensor(c["jitter"])


def _needs(ndim_min=0, size_min=0):
    def check(shapes):
        s = shapes[0]
        return len(s) >= ndim_min and int(numpy.prod(s)) >= size_min
    return check


def _dim(rng, shape):
    return int(rng.integers(-len(shape), len(shape)))


def _prep_dim(rng, shapes):
    return {"dim": _dim(rng, shapes[0]), "keep": bool(rng.integers(2))}


def _prep_spread_dim(rng, shapes):
    """A dim of size 2 or more: std over one element is 0, where PyTorch's second derivative
    is nan (a singular point, not a smooth one)."""
    dims = [d for d, n in enumerate(shapes[0]) if n > 1]
    if not dims:
        return None
    return {"dim": dims[int(rng.integers(len(dims)))], "keep": bool(rng.integers(2))}


def _prep_jitter_dim(rng, shapes):
    c = _prep_dim(rng, shapes)
    c["jitter"] = _distinct(rng, shapes[0])
    return c


def _distinct(rng, shape):
    n = int(numpy.prod(shape))
    return (rng.permutation(n).reshape(shape) * 1e-3).astype(numpy.float64)


def _prep_mask(rng, shapes):
    return {"mask": rng.integers(0, 2, shapes[0]).astype(bool)}


def _prep_index(rng, shapes):
    n = shapes[0][0]
    return {"idx": rng.integers(-n, n, int(rng.integers(1, 5)))}


def _prep_gather(rng, shapes):
    shape = shapes[0]
    d = _dim(rng, shape)
    out = list(shape)
    out[d] = int(rng.integers(1, 4))
    return {"dim": d, "idx": rng.integers(0, shape[d], out)}


def _prep_slice(rng, shapes):
    shape = shapes[0]
    items = []
    for n in shape:
        kind = rng.integers(4)
        if kind == 0:
            items.append(int(rng.integers(-n, n)))
        elif kind == 1:
            items.append(slice(int(rng.integers(0, n)), None, int(rng.integers(1, 3))))
        elif kind == 2 and n > 1:
            items.append(rng.integers(0, n, 2))
        else:
            items.append(slice(None))
    return {"index": tuple(items)}


def _index(c, x):
    lib = c["lib"]
    items = tuple(lib.tensor(i) if isinstance(i, numpy.ndarray) else i for i in c["index"])
    return x[items]


def _prep_matmul(rng, shapes):
    return {"k": int(rng.integers(1, 4)), "w": rng.uniform(-1, 1, (shapes[0][-1], 3))}


def _prep_classes(rng, shapes):
    return {"target": rng.integers(0, shapes[0][-1], shapes[0][0])}


def _prep_targets(rng, shapes):
    return {"t": rng.uniform(0, 1, shapes[0])}


def _prep_expand(rng, shapes):
    shape = shapes[0]
    return {"shape": tuple(3 if n == 1 else n for n in shape) if 1 in shape else (2, *shape)}


def _prep_perm(rng, shapes):
    return {"dims": tuple(int(d) for d in rng.permutation(len(shapes[0])))}


def _prep_view_slice(rng, shapes):
    n = int(numpy.prod(shapes[0]))
    return {"stop": int(rng.integers(1, n + 1))}


def _view_inplace(c, x, y):
    z = x * 1.0
    z.view(-1)[: c["stop"]].mul_(y.sum())
    return z


def _inplace(c, x, y):
    z = x.clone()
    z.mul_(y)
    z.add_(x)
    return z


F = lambda c: c["lib"].nn.functional  # noqa: E731 - mirrors `import torch.nn.functional as F`

# name: (arity, applicable(shapes) or None, prepare(rng, shapes) -> consts, apply(c, *xs))
OPS = {
    "add": (2, None, None, lambda c, x, y: x + y),
    "sub": (2, None, None, lambda c, x, y: x - y),
    "mul": (2, None, None, lambda c, x, y: x * y),
    "div": (2, None, None, lambda c, x, y: x / _pos(y)),
    "rdiv_scalar": (1, None, None, lambda c, x: 1.5 / _pos(x)),
    "pow_int": (1, None, None, lambda c, x: x**3),
    "pow_float": (1, None, None, lambda c, x: _pos(x) ** 0.7),
    "pow_tensor": (2, None, None, lambda c, x, y: _pos(x) ** y),
    "scalar_pow": (1, None, None, lambda c, x: 2.5**x),
    "neg": (1, None, None, lambda c, x: -x),
    "exp": (1, None, None, lambda c, x: x.exp()),
    "log": (1, None, None, lambda c, x: _pos(x).log()),
    "log10": (1, None, None, lambda c, x: _pos(x).log10()),
    "log2": (1, None, None, lambda c, x: c["lib"].log2(_pos(x))),
    "sqrt": (1, None, None, lambda c, x: _pos(x).sqrt()),
    "abs": (1, None, None, lambda c, x: x.abs()),
    "sin": (1, None, None, lambda c, x: x.sin()),
    "cos": (1, None, None, lambda c, x: c["lib"].cos(x)),
    "erf": (1, None, None, lambda c, x: c["lib"].erf(x)),
    "remainder": (2, None, None, lambda c, x, y: x % _pos(y)),
    "tanh": (1, None, None, lambda c, x: x.tanh()),
    "sigmoid": (1, None, None, lambda c, x: x.sigmoid()),
    "relu": (1, None, None, lambda c, x: x.relu()),
    "leaky_relu": (1, None, None, lambda c, x: F(c).leaky_relu(x, 0.1)),
    "elu": (1, None, None, lambda c, x: F(c).elu(x)),
    "gelu": (1, None, None, lambda c, x: F(c).gelu(x)),
    "gelu_tanh": (1, None, None, lambda c, x: F(c).gelu(x, approximate="tanh")),
    "softplus": (1, None, None, lambda c, x: F(c).softplus(x)),
    "sum": (1, None, None, lambda c, x: x.sum()),
    "sum_dim": (1, _needs(1), _prep_dim, lambda c, x: x.sum(c["dim"], keepdim=c["keep"])),
    "mean_dim": (1, _needs(1), _prep_dim, lambda c, x: x.mean(c["dim"], keepdim=c["keep"])),
    "var": (1, _needs(1, 2), None, lambda c, x: x.var()),
    "std_dim": (1, _needs(1), _prep_spread_dim,
                lambda c, x: (x * x + 0.1).std(c["dim"], keepdim=c["keep"], correction=0)),
    "amax": (1, _needs(1), _prep_jitter_dim,
             lambda c, x: _jitter(c, x).amax(c["dim"], keepdim=c["keep"])),
    "amin": (1, _needs(1), _prep_jitter_dim, lambda c, x: _jitter(c, x).amin(c["dim"])),
    "max_dim": (1, _needs(1), _prep_jitter_dim,
                lambda c, x: _jitter(c, x).max(c["dim"], keepdim=c["keep"]).values),
    "min_dim": (1, _needs(1), _prep_jitter_dim, lambda c, x: _jitter(c, x).min(c["dim"])[0]),
    "max_all": (1, None, lambda rng, s: {"jitter": _distinct(rng, s[0])},
                lambda c, x: _jitter(c, x).max()),
    "logsumexp": (1, _needs(1), _prep_dim,
                  lambda c, x: x.logsumexp(c["dim"], keepdim=c["keep"])),
    "softmax": (1, _needs(1), _prep_dim, lambda c, x: x.softmax(c["dim"])),
    "log_softmax": (1, _needs(1), _prep_dim, lambda c, x: F(c).log_softmax(x, c["dim"])),
    "reshape": (1, None, None, lambda c, x: x.reshape(-1)),
    "view_2d": (1, _needs(1, 2), None, lambda c, x: x.reshape(x.shape[0], -1)),
    "permute": (1, _needs(2), _prep_perm, lambda c, x: x.permute(*c["dims"])),
    "transpose": (1, _needs(2), None, lambda c, x: x.transpose(0, -1)),
    "t": (1, _needs(2), None, lambda c, x: x.reshape(x.shape[0], -1).t()),
    "unsqueeze": (1, None, None, lambda c, x: x.unsqueeze(0)),
    "squeeze": (1, None, None, lambda c, x: x.squeeze()),
    "expand": (1, None, _prep_expand, lambda c, x: x.expand(*c["shape"])),
    "flatten": (1, _needs(1), None, lambda c, x: x.flatten()),
    "repeat": (1, None, None, lambda c, x: x.repeat(*([2] + [1] * max(x.ndim - 1, 0)))),
    "flip": (1, _needs(1), _prep_dim, lambda c, x: x.flip(c["dim"])),
    "cat": (2, None, None, lambda c, x, y: c["lib"].cat([x.reshape(-1), y.reshape(-1)])),
    "stack": (1, None, None, lambda c, x: c["lib"].stack([x, x * 2.0], dim=-1)),
    "index": (1, _needs(1), _prep_slice, _index),
    "index_ints": (1, _needs(1), _prep_index, lambda c, x: x[c["lib"].tensor(c["idx"])]),
    "index_mask": (1, _needs(1), _prep_mask, lambda c, x: x[c["lib"].tensor(c["mask"])]),
    "index_select": (1, _needs(1), lambda rng, s: {"idx": rng.integers(0, s[0][-1], 3)},
                     lambda c, x: x.index_select(-1, c["lib"].tensor(c["idx"]))),
    "gather": (1, _needs(1), _prep_gather,
               lambda c, x: x.gather(c["dim"], c["lib"].tensor(c["idx"]))),
    "where": (2, None, _prep_mask, lambda c, x, y: c["lib"].where(
        c["lib"].tensor(numpy.broadcast_to(c["mask"], numpy.broadcast_shapes(
            c["mask"].shape, tuple(x.shape), tuple(y.shape)))), x, y)),
    "masked_fill": (1, None, _prep_mask,
                    lambda c, x: x.masked_fill(c["lib"].tensor(c["mask"]), 0.25)),
    "maximum": (2, None, None, lambda c, x, y: c["lib"].maximum(x, y + 1e-3)),
    "minimum": (2, None, None, lambda c, x, y: c["lib"].minimum(x, y - 1e-3)),
    "clamp": (1, None, None, lambda c, x: x.clamp(-0.6, 0.7)),
    "clamp_min": (1, None, None, lambda c, x: x.clamp(min=-0.3)),
    "matmul": (1, _needs(1), _prep_matmul,
               lambda c, x: x @ c["lib"].tensor(c["w"])),
    "matmul_self": (1, _needs(2), None, lambda c, x: x @ x.transpose(-1, -2)),
    "mse_loss": (2, None, None, lambda c, x, y: F(c).mse_loss(x, y.expand_as(x))
                 if tuple(y.shape) != tuple(x.shape) else F(c).mse_loss(x, y)),
    "cross_entropy": (1, _needs(2), _prep_classes, lambda c, x: F(c).cross_entropy(
        x.reshape(x.shape[0], -1), c["lib"].tensor(c["target"] % x.reshape(x.shape[0], -1)
                                                     .shape[1]))),
    "bce_logits": (1, None, _prep_targets, lambda c, x: F(c).binary_cross_entropy_with_logits(
        x, c["lib"].tensor(c["t"]))),
    "bce": (1, None, _prep_targets,
            lambda c, x: F(c).binary_cross_entropy(x.sigmoid(), c["lib"].tensor(c["t"]))),
    "inplace": (2, None, None, lambda c, x, y: _inplace(c, x, y)),
    "view_inplace": (2, None, _prep_view_slice, _view_inplace),
}


def _close(ours, theirs, what: str, seed: int, steps: list) -> None:
    theirs = theirs.detach().numpy(force=True)
    ours_arr = ours.detach().numpy()
    if ours_arr.shape != theirs.shape or ours_arr.dtype != theirs.dtype:
        raise Mismatch(f"seed {seed}: {what}: shape/dtype {ours_arr.shape} {ours_arr.dtype} vs "
                       f"torch {theirs.shape} {theirs.dtype}; program {steps}")
    finite = numpy.isfinite(theirs)
    scale = float(numpy.abs(theirs[finite]).max()) if finite.any() else 0.0
    atol = ATOL_SCALE * scale + 1e-12
    # assert_allclose's own check costs ~1 ms; this is the same test (nan matches nan, inf
    # matches inf of the same sign), and assert_allclose only writes the report
    same = (ours_arr == theirs) | (numpy.isnan(ours_arr) & numpy.isnan(theirs))
    near = numpy.abs(ours_arr - theirs) <= atol + RTOL * numpy.abs(theirs)
    if not (same | (near & finite)).all():
        try:
            numpy.testing.assert_allclose(ours_arr, theirs, rtol=RTOL, atol=atol)
        except AssertionError as e:
            raise Mismatch(f"seed {seed}: {what} differs; program {steps}\n{e}") from None
        raise Mismatch(f"seed {seed}: {what} differs; program {steps}")


def _leaf(rng, bp, torch, shape):
    data = rng.uniform(-2, 2, shape)
    return (bp.tensor(data, dtype=bp.float64, requires_grad=True),
            torch.tensor(data, dtype=torch.float64, requires_grad=True))


def _shapes(rng, count: int) -> list:
    base = [int(rng.integers(1, 4)) for _ in range(int(rng.integers(1, 4)))]
    shapes = []
    for _ in range(count):
        s = [n if rng.random() < 0.7 else 1 for n in base]
        shapes.append(tuple(s[int(rng.integers(0, len(s))):]))  # a suffix: broadcasts to base
    return shapes


def _pick_partner(rng, pool, first):
    shape = tuple(first[0].shape)
    fits = []
    for entry in pool:
        try:
            out = numpy.broadcast_shapes(shape, tuple(entry[0].shape))
        except ValueError:
            continue
        if int(numpy.prod(out)) <= MAX_ELEMENTS:
            fits.append(entry)
    return fits[int(rng.integers(len(fits)))] if fits else first


def run_program(seed: int, bp, torch, hvp: bool = False) -> int:
    """Run program ``seed`` on both libraries; raise Mismatch on any difference. Returns the
    number of ops run. NumPy's floating-point warnings are silenced (torch has none): inf and
    nan are compared by position instead."""
    with numpy.errstate(all="ignore"):
        return _run(seed, bp, torch, hvp)


def _run(seed: int, bp, torch, hvp: bool) -> int:
    rng = numpy.random.default_rng(seed)
    leaves = [_leaf(rng, bp, torch, s) for s in _shapes(rng, int(rng.integers(1, 4)))]
    pool = list(leaves)
    steps = []
    names = list(OPS)
    for _ in range(int(rng.integers(3, 13))):
        name = names[int(rng.integers(len(names)))]
        arity, applicable, prepare, apply = OPS[name]
        first = pool[int(rng.integers(len(pool)))]
        args = [first] if arity == 1 else [first, _pick_partner(rng, pool, first)]
        shapes = [tuple(a[0].shape) for a in args]
        if applicable is not None and not applicable(shapes):
            continue
        consts = {} if prepare is None else prepare(rng, shapes)
        if consts is None:
            continue
        steps.append(name)
        outcome = []
        for i, lib in enumerate((bp, torch)):
            try:
                outcome.append(apply({**consts, "lib": lib}, *(a[i] for a in args)))
            except (RuntimeError, ValueError, IndexError, TypeError) as e:
                outcome.append(e)
        ours, theirs = outcome
        if isinstance(ours, Exception) and isinstance(theirs, Exception):
            break  # both refuse: fine, the program ends here
        if isinstance(ours, Exception) or isinstance(theirs, Exception):
            raise Mismatch(f"seed {seed}: one-sided exception at {name}: ours {ours!r}, "
                           f"torch {theirs!r}; program {steps}")
        _close(ours, theirs, f"output of {name}", seed, steps)
        if ours.numel() > MAX_ELEMENTS or ours.numel() == 0:
            pool.append((ours, theirs))
            break
        peak = float(numpy.abs(ours.detach().numpy()).max()) if ours.numel() else 0.0
        if peak > 4.0 and numpy.isfinite(peak):  # keep values where exp/pow stay finite
            ours, theirs = ours * (2.0 / peak), theirs * (2.0 / peak)
        pool.append((ours, theirs))
    out_ours, out_theirs = pool[-1]
    if not out_theirs.requires_grad or out_theirs.numel() == 0:
        return len(steps)
    weights = rng.standard_normal(tuple(out_theirs.shape))
    _gradients(bp, torch, out_ours, out_theirs, weights, leaves, seed, steps, hvp, rng)
    return len(steps)


def _gradients(bp, torch, out_ours, out_theirs, weights, leaves, seed, steps, hvp, rng):
    pairs = [(bp, out_ours, [a for a, _ in leaves]), (torch, out_theirs, [b for _, b in leaves])]
    grads = []
    for lib, out, xs in pairs:
        grads.append(lib.autograd.grad(out, xs, lib.tensor(weights), create_graph=hvp,
                                       allow_unused=True))
    for i, (g_ours, g_theirs) in enumerate(zip(*grads, strict=True)):
        _close_or_zero(g_ours, g_theirs, leaves[i][0], f"gradient of leaf {i}", seed, steps,
                       bp, torch)
    if not hvp:
        return
    vectors = [rng.standard_normal(tuple(a.shape)) for a, _ in leaves]
    products = []
    for (lib, _, xs), gs in zip(pairs, grads, strict=True):
        terms = [(g * lib.tensor(v)).sum() for g, v in zip(gs, vectors, strict=True)
                 if g is not None and g.requires_grad]
        if not terms:
            return
        products.append(lib.autograd.grad(sum(terms[1:], terms[0]), xs, allow_unused=True))
    for i, (h_ours, h_theirs) in enumerate(zip(*products, strict=True)):
        _close_or_zero(h_ours, h_theirs, leaves[i][0], f"Hessian-vector product for leaf {i}",
                       seed, steps, bp, torch)


def _close_or_zero(ours, theirs, like, what, seed, steps, bp, torch) -> None:
    """Compare, reading a missing result (None: no dependence) as zeros."""
    if ours is None and theirs is None:
        return
    ours = bp.zeros_like(like) if ours is None else ours
    theirs = torch.zeros(tuple(like.shape), dtype=torch.float64) if theirs is None else theirs
    _close(ours, theirs, what, seed, steps)
