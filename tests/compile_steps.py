"""The training step the bp.compile tests capture: what a user writes, loss returned."""


def training_step(model, optimizer, loss_fn):
    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def raises_within(error, compiled, args, calls: int = 4):
    """Call ``compiled(*args)`` up to ``calls`` times; the error must come by then."""
    import pytest

    with pytest.raises(error) as info:
        for _ in range(calls):
            compiled(*args)
    return info
