"""glibc malloc tuning at import: on where it applies, off with EAGERFLOW_TUNE_MALLOC=0."""
import os
import subprocess
import sys

import pytest

from eagerflow import _memory


def _glibc() -> bool:
    import ctypes
    try:
        return hasattr(ctypes.CDLL(None), "gnu_get_libc_version")
    except OSError:
        return False


def _tuned_in_child(env_value):
    env = dict(os.environ)
    env.pop("EAGERFLOW_TUNE_MALLOC", None)
    if env_value is not None:
        env["EAGERFLOW_TUNE_MALLOC"] = env_value
    out = subprocess.run([sys.executable, "-c", "import eagerflow._memory as m; print(m.TUNED)"], env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not (sys.platform.startswith("linux") and _glibc()), reason="glibc only")
def test_tuned_on_glibc_and_switchable():
    assert _memory.TUNED is True or os.environ.get("EAGERFLOW_TUNE_MALLOC") == "0"
    assert _tuned_in_child(None) == "True"
    assert _tuned_in_child("0") == "False"


def test_tune_malloc_is_idempotent():
    assert _memory.tune_malloc() == _memory.TUNED
