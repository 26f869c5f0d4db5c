"""JAX's step timed on one CPU: what it does with the resources the NumPy-based steps have.

JAX dispatches a jitted step asynchronously: while XLA's threads compute one step, Python
already dispatches the next, so on an idle 2-core machine JAX's steps/s can hold two cores'
work (moons 2-16-16-1 b32: 1.8 CPU-seconds per wall second in its fastest batches, 39 µs a
step against 47-50 µs on one core), while backproplab and hand-written NumPy compute on one.
Both figures are reported.

The threads JAX starts are kept on one CPU for the whole run (``JaxThreads``); for a
one-core batch the calling thread joins them (one system call when the batch starts and one
at its sync), for the other batches it is free to run elsewhere. Linux only.
"""

import os
import threading


def available() -> bool:
    return hasattr(os, "sched_setaffinity") and os.path.isdir("/proc/self/task")


def _threads() -> set:
    return {int(name) for name in os.listdir("/proc/self/task")}


class JaxThreads:
    """Collects the threads started while JAX works (``with jax_threads:``) and keeps them
    on one CPU."""

    def __init__(self):
        self.cpu = {min(os.sched_getaffinity(0))}
        self._before = None

    def __enter__(self):
        self._before = _threads()
        return self

    def __exit__(self, *exc):
        for tid in _threads() - self._before:
            try:
                os.sched_setaffinity(tid, self.cpu)
            except OSError:
                pass  # the thread ended meanwhile

    def on_one_core(self, step, sync):
        """(step, sync) for ``timing.interleaved_seconds`` with the caller on JAX's CPU
        from a batch's first call to its sync."""
        state = {"saved": None}
        me = threading.get_native_id()

        def pinned_step():
            if state["saved"] is None:
                state["saved"] = os.sched_getaffinity(me)
                os.sched_setaffinity(me, self.cpu)
            step()

        def pinned_sync():
            sync()
            if state["saved"] is not None:
                os.sched_setaffinity(me, state["saved"])
                state["saved"] = None

        return pinned_step, pinned_sync
