"""Random training programs replay eager's bits (tests/compile_fuzz.py draws them): seeds 0-23
hold each kind that once failed (gradient clipping's stacked norms, a norm layer's
coefficient broadcast in a stack, batch norm's layout question taken for a data branch).
benchmarks/fuzz_compile.py runs as many more as asked."""

import pytest

from tests import compile_fuzz


@pytest.mark.parametrize("seed", range(24))
def test_random_program_replays_eager_bits(seed):
    compile_fuzz.check(seed)
