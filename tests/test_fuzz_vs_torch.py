"""Differential fuzz: 2,000 random programs on backproplab and PyTorch must agree.

Each program (see tests/fuzz_programs.py) runs 3-12 random ops over random broadcastable
float64 tensors; values after every op, every leaf's gradient and, for one program in four,
Hessian-vector products must match torch to rtol 1e-7; an exception on one side only fails.
Seeds are fixed, so a failure names the seed that reproduces it;
``python benchmarks/fuzz_vs_torch.py --programs 10000`` runs more.
"""

import pytest

import backproplab as bp
from tests.fuzz_programs import run_program

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

PROGRAMS = 2000
CHUNKS = 8


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_programs_match_torch(chunk):
    size = PROGRAMS // CHUNKS
    ops = 0
    for seed in range(chunk * size, (chunk + 1) * size):
        ops += run_program(seed, bp, torch, hvp=seed % 4 == 0)
    assert ops >= 3 * size  # the programs really ran (3 to 12 ops each, minus refusals)
