"""What one frame costs the server, without a browser: the CPU milliseconds to build it (the
session's numbers) and to encode it as JSON, and its size, for the cases of ``bench_lab.py``
(the same configs). CPU time of this thread, not wall time, so that a machine shared with other
work slows the numbers less; BLAS runs on one thread, as in the lab's workers.

Two rows a case: "slow" frames, each carrying the data space, every neuron's map, the
predictions and a fresh gradient health check (the most a frame can cost); and frames "as
scheduled": 1/30 s of training between frames on the real clock, so the tracker leaves the
slow part and the health check out of the frames between as the lab does (mean of all).
Best of ``--repeat`` runs of ``--frames`` frames.

Run: python benchmarks/bench_lab_frames.py [--frames 40] [--repeat 3] [--profile CASE]
"""

import argparse
import cProfile
import pstats
import statistics
import time

from backproplab.lab.blas_threads import use_one_blas_thread
from backproplab.lab.config import from_query
from backproplab.lab.frames import FrameTracker
from backproplab.lab.freed_memory import keep_freed_memory
from backproplab.lab.protocol import encode
from backproplab.lab.session import Session

CASES = (
    ("(a) XOR 2-4-1", ""),
    ("(b) moons 500, 2-16-16-1", "dataset=moons&points=500&hidden=16,16"),
    ("(c) spirals 2,000, 6×32", "dataset=spirals&points=2000&hidden=32,32,32,32,32,32"
     "&activation=relu&optimizer=adam&lr=0.003"),
)


def always_due() -> float:
    """A tracker clock on which the slow part and the health check are always due."""
    return 1e18


def frames(query: str, slow: bool, count: int) -> tuple[float, float, float, float]:
    """Mean (build CPU ms, encode CPU ms, KB, share of frames with maps) of ``count`` frames
    while playing."""
    session = Session(from_query(query))
    tracker = FrameTracker(clock=always_due if slow else time.monotonic)
    session.playing = True
    for _ in range(20):  # past the compile's first traces
        session.step("batch")
    encode(tracker.build(session))
    build = enc = size = maps = 0.0
    for _ in range(count):
        if slow:
            session.step("batch")
        else:
            session.train_for(1 / 30)
        start = time.thread_time()
        frame = tracker.build(session)
        mid = time.thread_time()
        text = encode(frame)
        end = time.thread_time()
        build, enc, size = build + mid - start, enc + end - mid, size + len(text)
        maps += "neurons" in frame
    return build / count * 1e3, enc / count * 1e3, size / count / 1024, maps / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=int, choices=range(len(CASES)), default=None,
                        help="profile this case (0, 1, 2) with maps, print the top functions")
    args = parser.parse_args()
    use_one_blas_thread()  # as the lab's workers run
    keep_freed_memory()
    if args.profile is not None:
        profiler = cProfile.Profile(time.thread_time)  # CPU time: a shared machine's waits left out
        profiler.enable()
        frames(CASES[args.profile][1], True, args.frames)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return 0
    print(f"frame cost while playing (CPU ms), best of {args.repeat} × {args.frames} frames")
    print(f"{'case':28} {'frames':>9} {'build ms':>9} {'encode ms':>10} {'KB':>7} {'maps':>5}")
    for name, query in CASES:
        for slow in (True, False):
            runs = [frames(query, slow, args.frames) for _ in range(args.repeat)]
            b, e = min(r[0] for r in runs), min(r[1] for r in runs)
            kb, maps = statistics.median(r[2] for r in runs), statistics.median(r[3] for r in runs)
            print(f"{name:28} {'slow' if slow else 'scheduled':>9} {b:9.2f} {e:10.2f} {kb:7.1f} "
                  f"{maps:5.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
