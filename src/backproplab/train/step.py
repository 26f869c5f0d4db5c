"""``TrainStep``: one training step of ``fit`` and the lab, eager or through ``bp.compile``.

The step is two calls, split where callbacks look at the gradients: ``backward(x, y)`` (zero
the gradients, forward, loss, backward) and ``update()`` (the optimizer step). Callbacks run
between the two exactly as in the hand-written loop — a divergence check can still stop
before the update — whether the halves are replayed tapes or eager code, and the numbers are
the same bit for bit either way.
"""

from backproplab.compile import compile as _compile


class TrainStep:
    """``compile``: None (replay when the step can be captured, else eager, silently),
    True (replay, and raise CompileError when the step cannot be captured) or False.

    ``penalty(strength)``, when given, is a regulariser added to the loss for backward only
    (the lab's L1): ``backward(x, y, strength)`` returns the data loss, and a new strength
    is a new signature, so the replayed program is never one with a stale strength.
    """

    def __init__(self, model, loss_fn, optimizer, compile=None, keep_outputs=False,
                 penalty=None):
        if compile not in (None, True, False):
            raise ValueError(f"compile must be True, False or None (automatic), not {compile!r}")
        self.model = model
        self.keep_outputs = keep_outputs
        self._penalty = penalty

        def backward(x, y, strength):
            optimizer.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            (loss + penalty(strength) if strength else loss).backward()
            return (loss, out) if keep_outputs else loss

        def update():
            optimizer.step()

        self._backward, self._update = backward, update
        if compile is not False:
            options = {"modules": [model, loss_fn], "optimizers": [optimizer],
                       "strict": compile is True}
            self._backward = _compile(backward, **options)
            self._update = _compile(update, **options)

    def backward(self, x, y, strength: float = 0.0):
        """(loss value, model output or None); the gradients are in each ``.grad``."""
        if strength and self._penalty is None:
            raise ValueError("TrainStep.backward: a penalty strength needs a penalty function")
        result = self._backward(x, y, float(strength))
        if self.keep_outputs:
            loss, out = result
            return loss.item(), out
        return result.item(), None

    def update(self) -> None:
        self._update()

    @property
    def compiled(self) -> bool:
        """True while the halves are replayed (False when eager or given up)."""
        return all(getattr(f, "eager_reason", "eager") is None
                   for f in (self._backward, self._update))

    @property
    def eager_reason(self):
        """Why an automatic step runs eagerly (None while it is compiled or never was)."""
        return next((f.eager_reason for f in (self._backward, self._update)
                     if getattr(f, "eager_reason", None)), None)
