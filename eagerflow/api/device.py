"""Devices: `tf.device(...)` scopes and the device records `tf.config` lists.

eagerflow runs every op on one device, the host CPU. `tf.device` accepts TF's spellings of it
('/CPU:0', '/cpu:0', '/device:CPU:0', '/job:localhost/replica:0/task:0/device:CPU:0', ...) and
records the canonical spec on the graph operations created inside the scope (as TF does); any other
device (a GPU, a TPU, a second CPU, a remote job) is an error that says so, rather than a silent
fallback.

>>> import eagerflow as tf
>>> g = tf.Graph()
>>> with g.as_default(), tf.device("/cpu:0"):
...     x = tf.constant(1.0)
>>> x.device
'/device:CPU:0'
"""
from __future__ import annotations

import contextlib
import re
from typing import NamedTuple

from ..context import _state

__all__ = ["device", "PhysicalDevice", "LogicalDevice", "physical_devices", "logical_devices", "canonical_device",
           "CPU_ONLY_HINT"]

CPU_ONLY_HINT = "eagerflow runs on the CPU only: use '/CPU:0' (tf.config.list_physical_devices() lists the devices)"
_LOCAL = {"job": "localhost", "replica": "0", "task": "0"}
_DEVICE_PART = re.compile(r"^(?:device:)?([A-Za-z_]+):(\d+|\*)$")


class PhysicalDevice(NamedTuple):
    """A device of this machine, as `tf.config.list_physical_devices()` reports it."""

    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    """A device ops can be placed on, as `tf.config.list_logical_devices()` reports it."""

    name: str
    device_type: str


def physical_devices(device_type=None) -> list:
    """The machine's devices of `device_type` (any when None; case-insensitive): the one CPU."""
    if device_type is None or str(device_type).upper() == "CPU":
        return [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    return []


def logical_devices(device_type=None) -> list:
    if device_type is None or str(device_type).upper() == "CPU":
        return [LogicalDevice("/device:CPU:0", "CPU")]
    return []


def _parse(spec: str) -> dict:
    """The fields of a device string: job, replica, task, device_type, device_index (as given)."""
    fields: dict = {}
    for part in spec.strip().split("/"):
        if not part:
            continue
        key, sep, value = part.partition(":")
        if key in _LOCAL and sep:
            fields[key] = value
            continue
        m = _DEVICE_PART.match(part)
        if m is None:
            raise ValueError(f"Unknown attribute '{part}' is encountered while parsing the device spec: '{spec}'.")
        fields["device_type"], fields["device_index"] = m.group(1).upper(), m.group(2)
    return fields


def _check(fields: dict, spec: str) -> None:
    for key, local in _LOCAL.items():
        if key in fields and fields[key] != local:
            raise ValueError(f"Device '{spec}' is not available: eagerflow runs in one local process "
                             "(/job:localhost/replica:0/task:0), on the CPU only: use '/CPU:0'.")
    kind = fields.get("device_type")
    if kind is not None and kind != "CPU":
        raise ValueError(f"Device '{spec}' is not available: {CPU_ONLY_HINT}.")
    if kind is not None and fields["device_index"] not in ("0", "*"):
        raise ValueError(f"Device '{spec}' is not available: eagerflow has one CPU device, '/CPU:0'.")


def _format(fields: dict) -> str:
    out = "".join(f"/{key}:{fields[key]}" for key in ("job", "replica", "task") if key in fields)
    if "device_type" in fields:
        out += f"/device:{fields['device_type']}:{fields['device_index']}"
    return out


def canonical_device(spec: str) -> str:
    """TF's canonical form of a CPU device string ('/cpu:0' -> '/device:CPU:0'); others raise ValueError.

    >>> canonical_device("/job:localhost/replica:0/task:0/cpu:0")
    '/job:localhost/replica:0/task:0/device:CPU:0'
    """
    fields = _parse(spec)
    _check(fields, spec)
    return _format(fields)


def _merge(outer: str | None, inner: str) -> str:
    """A nested scope's spec: the inner fields over the outer ones (TF merges partial specs)."""
    fields = _parse(outer) if outer else {}
    fields.update(_parse(inner))
    return _format(fields)


@contextlib.contextmanager
def _device_scope(spec: str | None):
    st = _state
    saved = st.device
    st.device = None if spec is None else (_merge(saved, spec) or saved)
    try:
        yield
    finally:
        st.device = saved


def device(device_name):
    """Places the ops created in the block on `device_name` (TF's `tf.device`); None clears it.

    Only the CPU exists: '/CPU:0', '/cpu:0', '/device:CPU:0' and
    '/job:localhost/replica:0/task:0/device:CPU:0' are accepted; '/GPU:0', '/TPU:0' and other devices
    raise ValueError. Graph operations record the spec as their `.device`.

    >>> import eagerflow as tf
    >>> with tf.device("/CPU:0"):
    ...     y = tf.constant([1.0, 2.0]) * 2.0
    >>> y.device
    '/job:localhost/replica:0/task:0/device:CPU:0'
    """
    if device_name is None:
        return _device_scope(None)
    if callable(device_name):
        raise RuntimeError("tf.device does not support functions: eagerflow places every op on the CPU "
                           "(pass a device string such as '/CPU:0').")
    if not isinstance(device_name, str):
        raise TypeError(f"tf.device expects a device string such as '/CPU:0' or None, got {device_name!r} "
                        f"({type(device_name).__name__})")
    return _device_scope(canonical_device(device_name))
