"""``gradcheck``: compare the engine's gradients with central finite differences.

Public so users can check their own functions and Functions the way the test suite checks
every built-in op. Work in float64: in float32 the finite differences themselves are too
noisy to judge anything.
"""

import numpy

from backproplab.autograd.engine import grad
from backproplab.autograd.grad_mode import enable_grad, no_grad
from backproplab.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic and numerical Jacobians disagree; the message says where and by how much."""


def _outputs(result) -> tuple:
    if isinstance(result, Tensor):
        return (result,)
    return tuple(r for r in result if isinstance(r, Tensor))


def _differentiable(result) -> list:
    """The outputs a gradient flows from (not, say, the indices max(dim) returns)."""
    return [o for o in _outputs(result) if o.requires_grad]


def _flat_outputs(fn, inputs) -> numpy.ndarray:
    with no_grad():
        outs = _outputs(fn(*inputs))
    return numpy.concatenate([o.array.astype(numpy.float64).ravel() for o in outs])


def numerical_jacobian(fn, inputs, wrt, eps: float) -> list:
    """One (n_outputs, input.numel()) matrix per input in ``wrt``, by central differences."""
    jacobians = []
    for t in wrt:
        flat = t.array.reshape(-1)  # a view: perturbs t in place
        columns = []
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = _flat_outputs(fn, inputs)
            flat[j] = orig - eps
            minus = _flat_outputs(fn, inputs)
            flat[j] = orig
            columns.append((plus - minus) / (2 * eps))
        n_out = _flat_outputs(fn, inputs).size
        jacobians.append(numpy.stack(columns, axis=1) if columns else numpy.zeros((n_out, 0)))
    return jacobians


def analytic_jacobian(fn, inputs, wrt) -> list:
    """The same matrices from reverse mode: one backward pass per output element."""
    outs = _outputs(fn(*inputs))
    sizes = [o.array.size for o in outs]
    total = sum(sizes)
    jacobians = [numpy.zeros((total, t.array.size)) for t in wrt]
    row = 0
    for o, n in zip(outs, sizes, strict=True):
        for k in range(n):
            if not o.requires_grad:
                row += 1
                continue
            seed = numpy.zeros(o.array.size, dtype=o.array.dtype)
            seed[k] = 1
            grads = grad(o, wrt, Tensor._make(seed.reshape(o.shape), False, None),
                         retain_graph=True, allow_unused=True)
            for i, gi in enumerate(grads):
                if gi is not None:
                    jacobians[i][row] = gi.array.reshape(-1)
            row += 1
    return jacobians


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when every input's gradient matches finite differences within atol + rtol·|num|."""
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad; nothing to check")
    for t in wrt:
        if t.dtype != numpy.float64:
            raise ValueError(
                f"gradcheck: inputs must be float64 (got {t.dtype}); finite differences in "
                "lower precision are too inaccurate to judge gradients. Use .double()."
            )
    numeric = numerical_jacobian(fn, inputs, wrt, eps)
    analytic = analytic_jacobian(fn, inputs, wrt)
    for i, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
        bad = numpy.abs(a - n) > atol + rtol * numpy.abs(n)
        if bad.any():
            if not raise_exception:
                return False
            r, c = numpy.argwhere(bad)[0]
            raise GradcheckError(
                f"gradcheck: Jacobian mismatch for input {i} (shape {tuple(wrt[i].shape)}): "
                f"output element {r}, input element {c}: analytic {a[r, c]:.10g} vs "
                f"numerical {n[r, c]:.10g}; max abs difference {numpy.abs(a - n).max():.3g}\n"
                f"analytic:\n{a}\nnumerical:\n{n}"
            )
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """gradcheck of the gradient itself: checks second derivatives (create_graph=True)."""
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    outs = _differentiable(fn(*inputs))
    if grad_outputs is None:
        rng = numpy.random.default_rng(0)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    grad_outputs = list(grad_outputs)
    n = len(inputs)

    def first_derivatives(*args):
        ins, vs = args[:n], args[n:]
        with enable_grad():  # the finite differences call this under no_grad
            os_ = _differentiable(fn(*ins))
            diff = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
            gs = grad(os_, diff, list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivatives, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
