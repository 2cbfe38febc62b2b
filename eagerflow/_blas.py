"""NumPy's BLAS, found once: OpenBLAS's thread count (for `_threads`) and the name of the kernels it runs.

NumPy's wheels bundle OpenBLAS; `threads_control()` returns its get/set-thread-count functions and
`corename()` the kernel set it chose for this CPU ("Haswell" for AVX2, "SkylakeX" for AVX-512, or
what OPENBLAS_CORETYPE forces). Both are None where the BLAS is not OpenBLAS.

`stop_worker_threads()` ends OpenBLAS's worker threads. After each multi-threaded product they
keep spinning on their cores for about 0.1 s (2^28 cycles) before they sleep, and setting the
thread count to 1 does not stop them: a CNN fit that starts right after NumPy work ran its first
ten steps 1.5x slower, its own threads competing with a spinning worker. OpenBLAS starts the
workers again by itself at its next multi-threaded call (about 0.1 ms); the same shutdown is what
it does before a fork.
"""
from __future__ import annotations

import ctypes

import numpy  # noqa: F401 - loads the BLAS library before we look for it

__all__ = ["threads_control", "corename", "stop_worker_threads"]

_PREFIXES = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"), ("openblas", ""))


def _find_openblas():
    """(library, symbol prefix, symbol suffix) of the loaded OpenBLAS, or None."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in _PREFIXES:
            if hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                return lib, prefix, suffix
    return None


_found = _find_openblas()


def _fn(name: str, restype=ctypes.c_int, argtypes=()):
    if _found is None:
        return None
    lib, prefix, suffix = _found
    f = getattr(lib, f"{prefix}_{name}{suffix}", None)
    if f is not None:
        f.restype, f.argtypes = restype, argtypes
    return f


def threads_control():
    """(get, set) for OpenBLAS's thread count, or None."""
    get, put = _fn("get_num_threads"), _fn("set_num_threads", None, (ctypes.c_int,))
    return None if get is None or put is None else (get, put)


def corename() -> str | None:
    f = _fn("get_corename", ctypes.c_char_p)
    return None if f is None else f().decode()


def stop_worker_threads() -> None:
    """Ends OpenBLAS's (possibly spinning) worker threads; they restart on demand. No-op elsewhere."""
    if _found is not None:
        f = getattr(_found[0], "blas_thread_shutdown_", None)
        if f is not None:
            f()
