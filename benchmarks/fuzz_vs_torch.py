"""Run the differential fuzz against PyTorch at any size and report what it covered.

The test suite runs 2,000 programs (tests/test_fuzz_vs_torch.py); this runs as many as asked,
from a chosen first seed, and prints the count of programs, ops, Hessian-vector checks and
mismatches (each with the seed that reproduces it).

Run: python benchmarks/fuzz_vs_torch.py --programs 10000 [--start 0] [--hvp-every 4]
"""

import argparse
import collections
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the repo, for tests/

import torch
from tests import fuzz_programs

import backproplab as bp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10000)
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--hvp-every", type=int, default=4,
                        help="check Hessian-vector products for one program in N")
    args = parser.parse_args()
    ops = 0
    hvp_programs = 0
    failures = []
    start = time.perf_counter()
    for seed in range(args.start, args.start + args.programs):
        hvp = seed % args.hvp_every == 0
        hvp_programs += hvp
        try:
            ops += fuzz_programs.run_program(seed, bp, torch, hvp=hvp)
        except fuzz_programs.Mismatch as e:
            failures.append(str(e))
    elapsed = time.perf_counter() - start
    kinds = collections.Counter(f.split(";")[0].split(": ", 1)[1] for f in failures)
    print(f"programs: {args.programs} (seeds {args.start}..{args.start + args.programs - 1})")
    print(f"ops run: {ops}, op kinds: {len(fuzz_programs.OPS)}")
    print(f"programs with Hessian-vector checks: {hvp_programs}")
    print(f"mismatches: {len(failures)}  ({elapsed:.1f} s, shared machine)")
    for kind, n in kinds.most_common():
        print(f"  {n:5d}  {kind}")
    for f in failures[:5]:
        print("----\n" + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
