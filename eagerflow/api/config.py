"""`tf.config`: process-wide settings.

`tf.config.run_functions_eagerly(True)` makes every tf.function run its Python function as is
(a debugging switch, as in TF). The device functions report the one device eagerflow has, the CPU;
`tf.config.threading` records thread counts (NumPy's BLAS decides the real ones).
`tf.config.optimizer` switches the graph optimization passes that run on every tf.function
(see eagerflow/graph/passes/__init__.py for the option names and their passes).

>>> import eagerflow as tf
>>> tf.config.optimizer.set_experimental_options({"constant_folding": False})
>>> tf.config.optimizer.get_experimental_options()["constant_folding"]
False
>>> tf.config.optimizer.set_experimental_options({"constant_folding": True})
>>> tf.config.list_physical_devices()
[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
"""
from __future__ import annotations

from ..context import logger, settings
from ..graph.ir import user_source
from ..graph.passes import KNOWN_OPTIONS
from .device import LogicalDevice, PhysicalDevice, logical_devices, physical_devices

__all__ = ["optimizer", "run_functions_eagerly", "functions_run_eagerly", "experimental_run_functions_eagerly",
           "experimental_functions_run_eagerly", "list_physical_devices", "list_logical_devices",
           "get_visible_devices", "set_visible_devices", "get_logical_device_configuration",
           "set_logical_device_configuration", "get_soft_device_placement", "set_soft_device_placement",
           "threading", "experimental", "PhysicalDevice", "LogicalDevice"]


# ---- running functions eagerly -------------------------------------------------------------------------

def run_functions_eagerly(run_eagerly: bool) -> None:
    """Makes every tf.function call run its Python function as is, eagerly (a debugging switch).

    Side effects then happen on every call and `tf.executing_eagerly()` is True inside.

    >>> import eagerflow as tf
    >>> @tf.function
    ... def f(x):
    ...     return tf.executing_eagerly()
    >>> tf.config.run_functions_eagerly(True)
    >>> f(tf.constant(1))
    True
    >>> tf.config.run_functions_eagerly(False)
    """
    settings.run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    """Whether tf.function calls currently run eagerly (see `run_functions_eagerly`)."""
    return settings.run_functions_eagerly


def _deprecated(name: str, instructions: str) -> None:
    """Logs TF's deprecation warning for `name` once per process, naming the caller's line."""
    if name in settings.warned_once:
        return
    settings.warned_once.add(name)
    src = user_source(3)
    where = f"From {src[0]}:{src[1]}: " if src else ""
    logger.warning("%s%s (from eagerflow.config) is deprecated and will be removed in a future version. "
                   "Instructions for updating: %s", where, name, instructions)


def experimental_run_functions_eagerly(run_eagerly: bool) -> None:
    """Deprecated name of `run_functions_eagerly` (works, and logs a deprecation warning once)."""
    _deprecated("experimental_run_functions_eagerly",
                "Use `tf.config.run_functions_eagerly` instead of the experimental version.")
    run_functions_eagerly(run_eagerly)


def experimental_functions_run_eagerly() -> bool:
    """Deprecated name of `functions_run_eagerly`."""
    _deprecated("experimental_functions_run_eagerly",
                "Use tf.config.functions_run_eagerly instead of the experimental version.")
    return functions_run_eagerly()


# ---- devices ---------------------------------------------------------------------------------------------

def list_physical_devices(device_type=None) -> list:
    """The machine's devices of `device_type` ('CPU', 'GPU', ...; all when None): here the one CPU."""
    return physical_devices(device_type)


def list_logical_devices(device_type=None) -> list:
    """The devices ops can be placed on: `LogicalDevice(name='/device:CPU:0', device_type='CPU')`."""
    return logical_devices(device_type)


def get_visible_devices(device_type=None) -> list:
    """The physical devices eagerflow may use (all of them: the CPU)."""
    return physical_devices(device_type)


def set_visible_devices(devices, device_type=None) -> None:
    """Accepts the device list TF scripts pass (hiding GPUs is a no-op); the CPU cannot be hidden."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for d in devices:
        if not isinstance(d, PhysicalDevice):
            raise TypeError(f"set_visible_devices expects PhysicalDevice objects from "
                            f"tf.config.list_physical_devices(), got {d!r}")
    if (device_type is None or str(device_type).upper() == "CPU") and not devices:
        raise ValueError("eagerflow runs on the CPU only, so the CPU must stay visible.")


def get_logical_device_configuration(device):
    """None: the CPU is not split into logical devices."""
    _check_device(device)
    return None


def set_logical_device_configuration(device, logical_devices) -> None:  # noqa: A002 - TF's argument name
    """Splitting the CPU into several logical devices is not supported (eagerflow has one device)."""
    _check_device(device)
    if logical_devices is not None and len(logical_devices) > 1:
        raise ValueError("eagerflow has one CPU device; it cannot be split into several logical devices.")


def _check_device(device) -> None:
    if not isinstance(device, PhysicalDevice):
        raise TypeError(f"Expected a PhysicalDevice from tf.config.list_physical_devices(), got {device!r}")


def get_soft_device_placement() -> bool:
    return settings.soft_device_placement


def set_soft_device_placement(enabled: bool) -> None:
    """Recorded only: every op runs on the CPU."""
    settings.soft_device_placement = bool(enabled)


class threading:  # noqa: N801 - TF's namespace name
    """`tf.config.threading`: thread-count settings, recorded (0 means the system picks)."""

    @staticmethod
    def get_inter_op_parallelism_threads() -> int:
        return settings.threading["inter_op"]

    @staticmethod
    def set_inter_op_parallelism_threads(num_threads: int) -> None:
        settings.threading = dict(settings.threading, inter_op=_thread_count(num_threads))

    @staticmethod
    def get_intra_op_parallelism_threads() -> int:
        return settings.threading["intra_op"]

    @staticmethod
    def set_intra_op_parallelism_threads(num_threads: int) -> None:
        settings.threading = dict(settings.threading, intra_op=_thread_count(num_threads))


def _thread_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"The number of threads must be a non-negative int (0: the system picks), got {n!r}")
    return n


class experimental:  # noqa: N801 - TF's namespace name
    """`tf.config.experimental`: the older names of the device functions, and memory growth."""

    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)
    get_visible_devices = staticmethod(get_visible_devices)
    set_visible_devices = staticmethod(set_visible_devices)

    @staticmethod
    def set_memory_growth(device, enable: bool) -> None:
        _check_device(device)
        raise ValueError("Cannot set memory growth on non-GPU and non-Pluggable devices")

    @staticmethod
    def get_memory_growth(device) -> bool:
        _check_device(device)
        raise ValueError("Cannot get memory growth on non-GPU and non-Pluggable devices")

    @staticmethod
    def get_device_details(device) -> dict:
        _check_device(device)
        return {}


class optimizer:  # noqa: N801 - TF's namespace name
    """`tf.config.optimizer`: the graph optimizer's switches."""

    @staticmethod
    def set_experimental_options(options: dict) -> None:
        """Turns passes on or off by name (unknown names are ignored, as TF does).

        Functions re-optimize on their next call.
        """
        if not isinstance(options, dict):
            raise TypeError(f"options must be a dict, got {options!r}")
        new = dict(settings.optimizer_options)
        new.update({k: v for k, v in options.items() if k in KNOWN_OPTIONS})
        settings.optimizer_options = new  # a new object: compiled functions notice by identity

    @staticmethod
    def get_experimental_options() -> dict:
        """The options set so far, plus TF's two defaults."""
        out = dict(settings.optimizer_options)
        out.setdefault("disable_model_pruning", False)
        out.setdefault("disable_meta_optimizer", False)
        return out
