"""How close can a NumPy replay come to JAX's jit? The replay's own NumPy calls, timed alone.

``bp.compile`` replays a step as one generated Python function (``Replay.source``): checks that
the tape still applies, then one NumPy call per recorded operation, then bookkeeping (``.grad``,
version counters). This benchmark times, in turns on the same batches (timing.py):

* the compiled step as a user calls it;
* its NumPy calls alone, straight-line, without the checks and the bookkeeping: what any
  replay of this program costs, however little Python it adds around the calls;
* the cheapest NumPy call there is (``add`` of two 1-element arrays into a third) times the
  number of calls: the floor of a replay that made every call as cheap as that one;
* JAX's jitted step as it runs, and with its threads and caller on one CPU (one_core.py).

If JAX as it runs is faster than the calls alone, no work on the Python around the calls can
reach it: only fewer NumPy calls can, and each call of the tape computes a value the eager
rules compute (forms.py, stack.py and optimize.py already merge what gives the same bits).

Run: python benchmarks/replay_floor.py
"""

import contextlib
import re

import numpy as np

import bench_training as bt
import one_core
from jax_step import jax_or_none, jax_stepper
from timing import interleaved_seconds, table

CASES = ("(a) XOR 2-4-1 full batch", "(b) moons 2-16-16-1 b32")
# a line of Replay.source that is one NumPy call (or the errstate block around some): not a
# check (``if ...: return MISS``), not the bookkeeping (assignments) and not the return
_CALL = re.compile(r"^    (?:    )?(?!if\b|return\b)[A-Za-z_]\w*\(|^    with errstate\(")


def compiled_case(bp, case):
    """(the user's loop around the compiled step, the compiled step): bench_training's."""
    sizes, _, _, loss, batch, n = case
    weights, x, y = bt.make_case(sizes, loss, n)
    step, _ = bt.framework_stepper(bp, *case[:4], weights, x, y, batch, compiled=True)
    for _ in range(3):  # traced, traced again and verified, replayed
        step()
    return step, step.body, (weights, x, y)


def calls_alone(step):
    """(function of the input arrays making the replay's NumPy calls alone, their count)."""
    lines = [line for line in step._last.source.split("\n") if _CALL.match(line)]
    source = "def calls(x0, x1):\n" + "\n".join(lines) + "\n"
    namespace = step._last.replay.__globals__
    exec(source, namespace)  # the replay's own globals: its buffers and NumPy functions
    return namespace["calls"], sum(not line.lstrip().startswith("with") for line in lines)


def cycling(calls, batches):
    """``calls`` on the arrays of the next batch, as the compiled step gets the next batch."""
    state = {"i": 0}

    def run():
        i = state["i"] % len(batches)
        state["i"] += 1
        xb, yb = batches[i]
        calls(xb.array, yb.array)

    return run


def main() -> None:
    import backproplab as bp

    jax = jax_or_none()
    jax_threads = one_core.JaxThreads() if jax is not None and one_core.available() else None
    one = np.ones(1, np.float32)
    out = np.empty(1, np.float32)
    rows = [["case", "NumPy calls", "compiled steps/s", "calls alone", "cheapest call x n",
             "jax jit", "jax 1 core", "calls alone/jax"]]
    for name in CASES:
        case = bt.CASES[name]
        loop, step, (weights, x, y) = compiled_case(bp, case)
        calls, n_calls = calls_alone(step)
        fns = {"compiled": loop, "calls": cycling(calls, loop.batches),
               "cheapest": lambda: np.add(one, one, out)}
        if jax is not None:
            with jax_threads or contextlib.nullcontext():  # the threads JAX starts
                step_jax, sync, _ = jax_stepper(jax, *case[:4], weights, x, y, case[4], bt.LR)
                step_jax()
                sync()
            fns["jax"] = (step_jax, sync)
            if jax_threads is not None:
                fns["jax_1core"] = jax_threads.on_one_core(step_jax, sync)
        best = interleaved_seconds(fns)
        t_jax, t_jax1 = best.get("jax"), best.get("jax_1core")
        rows.append([
            name, str(n_calls), f"{1 / best['compiled']:,.0f}", f"{1 / best['calls']:,.0f}",
            f"{1 / (n_calls * best['cheapest']):,.0f}",
            "n/a" if t_jax is None else f"{1 / t_jax:,.0f}",
            "n/a" if t_jax1 is None else f"{1 / t_jax1:,.0f}",
            "n/a" if t_jax is None else f"{t_jax / best['calls']:.2f}x",
        ])
    print(table(rows))
    print("steps/s; 'calls alone': the compiled step's NumPy calls without its checks and "
          "bookkeeping; 'cheapest call x n': as many calls of add on 1-element arrays")
    if jax is None:
        print("JAX is not installed (pip install 'backproplab[bench]'): its columns are skipped")


if __name__ == "__main__":
    main()
