"""Intra-op parallelism: big kernels split by batch over a small thread pool, BLAS single-threaded meanwhile.

NumPy runs matrix products on every core (OpenBLAS's threads), but the passes around them (im2col
copies, pooling and its gradient, col2im adds) run on one. A kernel that splits its batch in two
chunks and runs them on two Python threads (NumPy releases the GIL inside its loops) overlaps
those passes with the other chunk's products. That needs BLAS single-threaded meanwhile: two
threads each calling a multi-threaded BLAS oversubscribe the cores, and OpenBLAS's idle workers
keep spinning on a core for about 0.1 s after each product, so switching BLAS between 1 and N
threads around every kernel costs more than it saves (measured: CNN steps 1.5x slower). Entering
the scope also ends those workers (`_blas.stop_worker_threads`), as they may still be spinning
from NumPy work before. Measured on the 2-core VM of docs/benchmarks.md, CNN fit medians: 0.46 ->
0.43 s (memory-bound passes scale poorly there; the products scale well).

So parallelism is scoped to a whole graph run: `compile_graph` wraps graphs holding a parallel
kernel in `single_threaded_blas()`, and inside it `run_chunks` runs a kernel's chunks on the pool.
Anywhere else (eager code, NumPy use outside eagerflow) BLAS keeps its own threads and
`run_chunks` runs chunks one after the other. Chunks are a function of the batch size only, so
results never depend on how many threads ran them.

`tf.config.threading.set_intra_op_parallelism_threads(1)` turns the pool off; 0 (the default)
means one thread per core, at most `MAX_WORKERS`. Without a BLAS whose thread count can be set
(OpenBLAS, found through the loaded libraries) kernels always run sequentially.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from . import _blas as _blas_lib
from .context import settings

__all__ = ["batch_chunks", "run_chunks", "single_threaded_blas", "PARALLEL_PRIMS"]

MAX_WORKERS = 2
MIN_CHUNK_WORK = 1 << 17  # elements a chunk touches before threads pay off (a pool round trip is ~30 us)
PARALLEL_PRIMS: set = set()  # primitives whose kernels call run_chunks: their graphs run single_threaded_blas


try:
    CPUS = len(os.sched_getaffinity(0))  # the cores this process may run on
except (AttributeError, OSError):
    CPUS = os.cpu_count() or 1
_lock = threading.Lock()
_depth = 0          # nesting of single_threaded_blas scopes (graphs run inside graphs)
_saved_threads = 0  # BLAS's thread count before the outermost scope
_pool = None
_pool_pid = None


_blas = _blas_lib.threads_control()  # (get, set) OpenBLAS's thread count, or None


def workers() -> int:
    """Threads a kernel may use now: 1 unless inside single_threaded_blas with a settable BLAS."""
    if _depth == 0:
        return 1
    n = settings.threading["intra_op"] or CPUS
    return max(1, min(n, MAX_WORKERS))


class single_threaded_blas:  # noqa: N801 - used like a function
    """Context: BLAS on one thread, so kernels may run their chunks on the pool."""

    __slots__ = ("_active",)

    def __enter__(self):
        global _depth, _saved_threads
        self._active = False
        if _blas is None or settings.threading["intra_op"] == 1:
            return self
        with _lock:
            if _depth == 0:
                _saved_threads = _blas[0]()
                if _saved_threads != 1:
                    _blas[1](1)
                    _blas_lib.stop_worker_threads()  # a worker still spinning would take a core from the pool
            _depth += 1
        self._active = True
        return self

    def __exit__(self, *exc):
        global _depth
        if self._active:
            with _lock:
                _depth -= 1
                if _depth == 0 and _saved_threads != 1:
                    _blas[1](_saved_threads)
        return False


def batch_chunks(n: int, work_per_item: int) -> list:
    """[(lo, hi), ...] covering range(n): two halves when the batch is big enough to split, else one."""
    if n >= 2 and n * work_per_item >= 2 * MIN_CHUNK_WORK:
        h = (n + 1) // 2
        return [(0, h), (h, n)]
    return [(0, n)]


def _get_pool():
    global _pool, _pool_pid
    pid = os.getpid()
    if _pool is None or _pool_pid != pid:  # a forked child has no pool threads: make its own
        _pool, _pool_pid = ThreadPoolExecutor(MAX_WORKERS - 1, thread_name_prefix="eagerflow-intra-op"), pid
    return _pool


def run_chunks(fn, chunks) -> list:
    """[fn(lo, hi) for each chunk], the chunks on the pool when allowed (the first on this thread)."""
    if len(chunks) == 1 or workers() < 2:
        return [fn(lo, hi) for lo, hi in chunks]
    futures = [_get_pool().submit(fn, lo, hi) for lo, hi in chunks[1:]]
    first = fn(*chunks[0])
    return [first] + [f.result() for f in futures]
