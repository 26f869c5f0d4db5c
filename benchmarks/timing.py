"""Timing that survives a shared, noisy machine: best of several repeats of many calls.

Benchmarks report ratios between implementations measured in the same run, never absolute
seconds, because only the ratio means anything on a shared machine.
"""

import time


def per_call_seconds(fn, min_time: float = 0.2, repeats: int = 5, sync=None) -> float:
    """Smallest mean time per call over ``repeats`` batches of calls lasting ~``min_time``.

    A warm-up of at least 0.1 s comes first: PyTorch's first few dozen autograd calls are
    100x slower than the rest (lazy initialisation), which would otherwise set the batch size.
    ``sync`` (if given) runs inside each timed batch after its calls: JAX dispatches work
    asynchronously, so its batch only ends when the last result exists.
    """
    sync = sync or (lambda: None)
    warm_until = time.perf_counter() + 0.1
    for _ in range(3):
        fn()
    while time.perf_counter() < warm_until:
        fn()
    n = 1
    while (elapsed := _batch_seconds(fn, n, sync)) < min_time / repeats:
        n *= 2
    best = elapsed / n
    for _ in range(repeats - 1):
        best = min(best, _batch_seconds(fn, n, sync) / n)
    return best


def _batch_seconds(fn, n: int, sync) -> float:
    """Seconds for ``n`` calls of ``fn`` and the ``sync`` that ends them."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    sync()
    return time.perf_counter() - start


def interleaved_seconds(fns: dict, rounds: int = 10, repeats: int = 15,
                        batch_time: float = 0.004) -> dict:
    """Best time per call of each ``name -> fn`` (or ``(fn, sync)``), measured in turns.

    On a machine shared with other jobs the load changes from second to second and a
    process is preempted every few milliseconds. So each implementation is timed in short
    batches (~``batch_time``, one call at least), many of them, in turns with the others over
    several rounds, and keeps its fastest batch: the one that ran without being preempted.
    Every implementation gets the same chances, so the ratios mean something even when the
    absolute times swing.
    """
    plan = {}
    for name, fn in fns.items():
        fn, sync = fn if isinstance(fn, tuple) else (fn, lambda: None)
        for _ in range(3):  # warm-up (PyTorch's first autograd calls are slow)
            fn()
        sync()
        n = 1
        while _batch_seconds(fn, n, sync) < batch_time and n < 4096:
            n *= 2
        plan[name] = (fn, sync, n)
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, (fn, sync, n) in plan.items():
            for _ in range(repeats):
                best[name] = min(best[name], _batch_seconds(fn, n, sync) / n)
    return best


def torch_or_none():
    """PyTorch, or None when it is not installed (it is a dev-only oracle)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    return torch


def torch_seconds(torch, fn) -> float:
    """PyTorch's time per call at its best of 2 threads (the brief's setting) and 1 thread.

    On a shared 2-core machine, 2 OpenMP threads stall whenever another process holds a core
    (observed: 95 µs per step becoming 12 ms). Taking the faster setting keeps the comparison
    conservative: backproplab is measured against PyTorch at its best.
    """
    best = float("inf")
    for threads in (2, 1):
        torch.set_num_threads(threads)
        best = min(best, per_call_seconds(fn))
    torch.set_num_threads(2)
    return best


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
