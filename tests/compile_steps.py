"""The training step the bp.compile tests capture: what a user writes, loss returned."""


def training_step(model, optimizer, loss_fn):
    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def same_bits(a, b) -> bool:
    """Equal bit for bit: same dtype and shape, and -0.0 is not 0.0 (array_equal says it is)."""
    import numpy

    a, b = numpy.asarray(a), numpy.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def raises_within(error, compiled, args, calls: int = 4):
    """Call ``compiled(*args)`` up to ``calls`` times; the error must come by then."""
    import pytest

    with pytest.raises(error) as info:
        for _ in range(calls):
            compiled(*args)
    return info
