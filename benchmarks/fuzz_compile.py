"""Run the differential fuzz of bp.compile against eager mode at any size.

The test suite runs 24 programs (tests/test_compile_fuzz.py); this runs as many as asked,
from a chosen first seed, and prints each mismatch or error with the seed and program that
reproduce it.

Run: python benchmarks/fuzz_compile.py --programs 500 [--start 0]
"""

import argparse
import collections
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the repo, for tests/

from tests import compile_fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=500)
    parser.add_argument("--start", type=int, default=0, help="first seed")
    args = parser.parse_args()
    failures = []
    kinds = collections.Counter()
    start = time.perf_counter()
    for seed in range(args.start, args.start + args.programs):
        p = compile_fuzz.draw(seed)
        kinds[(p["norm"], p["body"])] += 1
        try:
            compile_fuzz.check(seed)
        except Exception as e:  # a mismatch, or an error eager mode did not raise
            failures.append(f"{compile_fuzz.describe(p)}: {type(e).__name__}: {e}")
    elapsed = time.perf_counter() - start
    print(f"programs: {args.programs} (seeds {args.start}..{args.start + args.programs - 1})")
    print("norm layer x step body: " + ", ".join(f"{n}/{b} {c}" for (n, b), c in
                                                 sorted(kinds.items())))
    print(f"failures: {len(failures)}  ({elapsed:.1f} s, shared machine)")
    for f in failures[:10]:
        print("  " + f[:400])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
