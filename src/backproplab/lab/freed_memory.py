"""Keeping freed memory in a lab worker's process, so big arrays are not faulted in afresh.

A frame's data space is a forward pass over a 10,000-point grid that keeps every layer's
output: a 6×32 network's are seven 1.3 MB arrays. glibc's allocator serves blocks of that size
with ``mmap`` and returns them on ``free``, so every frame touched ~2,300 fresh pages, each a
page fault the kernel fills with zeros: 10.2 ms of that pass, 4.2 ms with the memory kept.
Raising the thresholds keeps blocks up to ``MMAP_THRESHOLD_BYTES`` on the heap and freed heap
memory in the process (up to ``TRIM_THRESHOLD_BYTES`` at its top), to be used again.
"""

import ctypes
import sys

MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""Blocks up to this size come from the heap (the largest lab array is a few MB)."""
TRIM_THRESHOLD_BYTES = 256 * 1024 * 1024
"""Freed memory at the heap's top is given back to the system only beyond this."""
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (glibc's malloc.h)


def keep_freed_memory() -> bool:
    """Set glibc's allocator to keep freed memory in this process; False where the C library
    is not glibc (macOS, musl without ``mallopt``), which keeps its own behaviour."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
