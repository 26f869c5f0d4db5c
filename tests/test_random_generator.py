"""``bp.Generator``: PyTorch's seedable generator object, and ``generator=`` everywhere."""

import numpy
import pytest

import backproplab as bp


def test_generator_manual_seed_returns_it_and_restarts_the_stream():
    g = bp.Generator().manual_seed(1)
    assert isinstance(g, bp.Generator) and g.initial_seed() == 1
    first = bp.randn(5, generator=g).tolist()
    g.manual_seed(1)
    assert bp.randn(5, generator=g).tolist() == first
    assert bp.randn(5, generator=bp.Generator().manual_seed(2)).tolist() != first


@pytest.mark.parametrize("draw", [
    lambda g: bp.randn(3, 2, generator=g),
    lambda g: bp.rand(4, generator=g),
    lambda g: bp.randint(0, 10, (6,), generator=g),
    lambda g: bp.randint(10, (6,), generator=g),
    lambda g: bp.randperm(7, generator=g),
    lambda g: bp.multinomial(bp.tensor([0.1, 0.5, 0.4]), 5, replacement=True, generator=g),
    lambda g: bp.tensor([1.0, 2.0, 3.0]).multinomial(2, generator=g),
    lambda g: bp.zeros(3).normal_(generator=g),
    lambda g: bp.zeros(3).uniform_(generator=g),
])
def test_every_random_function_takes_generator_and_leaves_the_global_stream_alone(draw):
    bp.manual_seed(5)
    expected_global = bp.rand(3).tolist()
    a = draw(bp.Generator().manual_seed(3)).tolist()
    bp.manual_seed(5)
    b = draw(bp.Generator().manual_seed(3)).tolist()
    assert a == b
    assert bp.rand(3).tolist() == expected_global


def test_manual_seed_returns_the_global_generator_and_default_seed_is_fixed():
    g = bp.manual_seed(7)
    assert g is bp.random.default_generator() and bp.initial_seed() == 7
    assert bp.Generator().initial_seed() == 67280421310721  # torch.Generator()'s default
    assert bp.Generator().random() == bp.Generator().random()


def test_generator_is_a_numpy_generator_so_numpy_style_draws_accept_it():
    g = bp.Generator(4)
    assert isinstance(g, numpy.random.Generator)
    assert bp.nn.functional.dropout(bp.ones(4), 0.5, generator=g).shape == (4,)


def test_multinomial_draws_in_proportion_and_without_repeats():
    weights = bp.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 5.0]])
    draws = bp.multinomial(weights, 4000, replacement=True, generator=bp.Generator(0))
    assert draws.shape == (2, 4000) and draws.dtype == bp.int64
    counts = numpy.stack([numpy.bincount(row, minlength=3) for row in draws.numpy()])
    numpy.testing.assert_allclose(counts / 4000, [[0, 0.25, 0.75], [0.5, 0, 0.5]], atol=0.03)
    once = bp.multinomial(bp.tensor([1.0, 1.0, 1.0, 1.0]), 4, generator=bp.Generator(1))
    assert sorted(once.tolist()) == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="without replacement"):
        bp.multinomial(bp.tensor([1.0, 0.0]), 2)
    with pytest.raises(RuntimeError, match="non-negative"):
        bp.multinomial(bp.tensor([1.0, -1.0]), 1)
