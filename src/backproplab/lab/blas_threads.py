"""One BLAS thread for the lab's process.

The lab's arrays are small (the data space's 10,000-point grid through layers of at most 32
neurons) while several sessions, the frame pump and the browser share a few cores, so
OpenBLAS's own threads mostly wait for each other: on the 2-core machine, loaded, a
10,000×32 by 32×32 float32 matmul took 13 ms with two BLAS threads and 2 ms with one.
"""


def use_one_blas_thread():
    """Limit BLAS to one thread in this process (a no-op without ``threadpoolctl``)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1, user_api="blas")
