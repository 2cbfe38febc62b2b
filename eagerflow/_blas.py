"""NumPy's BLAS, found once: OpenBLAS's thread count (for `_threads`) and the name of the kernels it runs.

NumPy's wheels bundle OpenBLAS; `threads_control()` returns its get/set-thread-count functions and
`corename()` the kernel set it chose for this CPU ("Haswell" for AVX2, "SkylakeX" for AVX-512, or
what OPENBLAS_CORETYPE forces). Both are None where the BLAS is not OpenBLAS.
"""
from __future__ import annotations

import ctypes

import numpy  # noqa: F401 - loads the BLAS library before we look for it

__all__ = ["threads_control", "corename"]

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
