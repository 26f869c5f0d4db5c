"""A worker keeps freed memory: a big network's data space, computed frame after frame, reuses
the memory of the last one instead of faulting thousands of fresh pages in each time. Counted
in page faults (not time), each case in a fresh process."""

import subprocess
import sys

import pytest

PROGRAM = """
import resource, sys
from backproplab.lab.freed_memory import keep_freed_memory
if sys.argv[1] == "kept":
    assert keep_freed_memory()
from backproplab.lab import data_space
from backproplab.lab.config import from_query
from backproplab.lab.session import Session
session = Session(from_query("dataset=spirals&points=500&hidden=32,32,32,32,32,32"))
data_space.heatmaps(session.network, session.points)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    data_space.heatmaps(session.network, session.points)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True,
                         timeout=120, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_worker_computing_frames_reuses_freed_memory_instead_of_faulting_pages_in():
    kept, default = _faults("kept"), _faults("default")
    # ten data spaces of a 6×32 network: seven 1.3 MB layer outputs each, ~2,300 pages
    assert default > 10_000
    assert kept < default / 20
