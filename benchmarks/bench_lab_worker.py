"""What one lab worker does with one core: 1 and 16 sessions playing XOR at full speed.

``bench_lab_load.py`` measures the whole server, but on a machine others use too its workers
get a fraction of their cores and the numbers say more about the neighbours than the lab. This
runs one :class:`~backproplab.lab.workers.Worker` in this process, with its sockets replaced by
an instant acknowledgement, on a clock of this process's CPU time: its schedule then sees the
core it would have alone, and the results are per CPU-second, comparable between runs and
machines' loads. 16 sessions is a worker's share of a classroom of 32 on two workers.

For each case it prints the frames per second each session gets, the training steps per
second, and the CPU cost of one frame and one step. The issue's targets need, per worker,
16 × 10 frames a second and at least 0.8 × (steps of one session alone) / 2 steps a second
(the two workers share the classroom) in what the web process leaves of the core.

Run: python benchmarks/bench_lab_worker.py [--seconds 6]
"""

import argparse
import collections
import statistics
import time

from backproplab.lab.blas_threads import use_one_blas_thread
from backproplab.lab.freed_memory import keep_freed_memory
from backproplab.lab.protocol import parse_message
from backproplab.lab.session import Session
from backproplab.lab.workers import FrameSource, Worker


class CpuTimed:
    """CPU seconds and calls of a method, patched onto its class for the run."""

    def __init__(self, cls, name: str):
        self.seconds, self.calls, self._cls, self._name = 0.0, 0, cls, name
        self._original = getattr(cls, name)

    def __enter__(self):
        original = self._original

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - started
                self.calls += 1

        setattr(self._cls, self._name, timed)
        return self

    def __exit__(self, *exc):
        setattr(self._cls, self._name, self._original)


def run(sessions: int, seconds: float) -> dict:
    """``sessions`` playing on one worker for ``seconds`` of CPU time (after 2 s warm-up)."""
    acks, frames = collections.deque(), collections.Counter()
    end = [0.0]

    def emit(event):
        if event[0] == "text" and event[3]:
            frames[event[1]] += 1
            acks.append(("sent", event[1]))

    def receive(timeout):
        if acks:
            return acks.popleft()
        return ("stop",) if time.process_time() > end[0] else None

    worker = Worker(emit, clock=time.process_time)
    for i in range(sessions):
        worker.apply(("open", str(i), None))
        worker.apply(("message", str(i), parse_message('{"type": "play"}')))
    end[0] = time.process_time() + 2.0
    worker.run(receive)
    frames.clear()
    steps0 = sum(seat.session.step_count for seat in worker.seats.values())
    worker.stopped, started = False, time.process_time()
    end[0] = started + seconds
    with CpuTimed(FrameSource, "next_text") as frame, CpuTimed(Session, "train_for") as train:
        worker.run(receive)
    elapsed = time.process_time() - started
    steps = sum(seat.session.step_count for seat in worker.seats.values()) - steps0
    fps = [frames[str(i)] / elapsed for i in range(sessions)]
    return {"fps_min": min(fps), "fps_median": statistics.median(fps),
            "steps": steps / elapsed, "frame_ms": frame.seconds / max(frame.calls, 1) * 1e3,
            "step_ms": train.seconds / max(steps, 1) * 1e3,
            "frame_share": frame.seconds / elapsed, "train_share": train.seconds / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="CPU seconds a case")
    args = parser.parse_args()
    use_one_blas_thread()
    keep_freed_memory()
    print(f"one worker, per CPU-second of its core ({args.seconds:g} s a case)")
    print(f"{'sessions':>8} {'frames/s min':>13} {'median':>7} {'steps/s':>8} "
          f"{'ms/frame':>9} {'ms/step':>8} {'frames':>7} {'training':>9}")
    results = {}
    for sessions in (1, 16):
        r = results[sessions] = run(sessions, args.seconds)
        print(f"{sessions:>8} {r['fps_min']:>13.1f} {r['fps_median']:>7.1f} {r['steps']:>8.0f} "
              f"{r['frame_ms']:>9.2f} {r['step_ms']:>8.2f} {r['frame_share']:>7.0%} "
              f"{r['train_share']:>9.0%}")
    two_workers = 2 * results[16]["steps"] / results[1]["steps"]
    print(f"two such workers' steps / one session alone: {two_workers:.2f} (target >= 0.80, "
          "before the web process's and the pages' share of the cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
