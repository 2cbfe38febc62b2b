"""Keeps freed NumPy buffers in the process (glibc malloc tuning), so big arrays stop page-faulting.

glibc serves blocks above a threshold (128 KiB, adapted upward at run time) with fresh `mmap`s and
returns them to the kernel on `free`; it also trims the heap top above another threshold. A
training step allocates and frees the same activation-sized arrays every step, so without tuning
each new array arrives as untouched pages: one page fault (and kernel zeroing) per 4 KiB, about a
third of a CNN step's time here. Raising both thresholds lets freed blocks be reused instead.

Applied once at import, on Linux with glibc only. Memory above 128 MiB of free heap is still
returned; single arrays above 32 MiB (glibc's limit for the threshold) still come from `mmap`.
Set EAGERFLOW_TUNE_MALLOC=0 in the environment to leave malloc as it is.
"""
from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20


def tune_malloc() -> bool:
    """Sets glibc's mmap and trim thresholds; True if it did."""
    if os.environ.get("EAGERFLOW_TUNE_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - glibc only (musl has its own malloc)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


TUNED = tune_malloc()
