"""`tf.data.Options`: pipeline settings, accepted and stored for compatibility.

eagerflow runs pipelines in the calling thread, in order, so none of these settings changes what a
pipeline yields; they are kept so code written for TF (Keras, distribution setup) runs unchanged.

>>> import eagerflow as tf
>>> options = tf.data.Options()
>>> options.deterministic = True
>>> options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
>>> ds = tf.data.Dataset.range(3).with_options(options)
>>> ds.options().deterministic
True
"""
from __future__ import annotations

import enum

__all__ = ["Options", "AutoShardPolicy", "ExternalStatePolicy", "AutotuneOptions", "DistributeOptions",
           "OptimizationOptions", "ThreadingOptions"]


class AutoShardPolicy(enum.IntEnum):
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy(enum.Enum):
    WARN = 0
    IGNORE = 1
    FAIL = 2


class _OptionsGroup:
    """A fixed set of named settings (None: unset); unknown names raise as TF's options do."""

    _fields: dict = {}

    def __init__(self):
        for name, default in self._fields.items():
            object.__setattr__(self, name, default() if callable(default) else default)

    def __setattr__(self, name, value):
        if name not in self._fields and not isinstance(getattr(type(self), name, None), property):
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        object.__setattr__(self, name, value)

    def __eq__(self, other):
        return type(self) is type(other) and all(getattr(self, k) == getattr(other, k) for k in self._fields)

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def _merge(self, other):
        """A copy of self with every setting that `other` sets overriding (nested groups merge)."""
        out = type(self)()
        for k in self._fields:
            mine, theirs = getattr(self, k), getattr(other, k)
            if isinstance(mine, _OptionsGroup):
                object.__setattr__(out, k, mine._merge(theirs))
            else:
                object.__setattr__(out, k, theirs if theirs is not None else mine)
        return out

    def __repr__(self):
        set_ = {k: getattr(self, k) for k in self._fields if getattr(self, k) is not None}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in set_.items())})"


class AutotuneOptions(_OptionsGroup):
    _fields = {"enabled": None, "cpu_budget": None, "ram_budget": None, "autotune_algorithm": None,
               "initial_parallelism": None, "min_parallelism": None}


class DistributeOptions(_OptionsGroup):
    _fields = {"auto_shard_policy": None, "num_devices": None}


class OptimizationOptions(_OptionsGroup):
    _fields = {"apply_default_optimizations": None, "filter_fusion": None, "filter_parallelization": None,
               "inject_prefetch": None, "map_and_batch_fusion": None, "map_and_filter_fusion": None,
               "map_fusion": None, "map_parallelization": None, "noop_elimination": None,
               "parallel_batch": None, "seq_interleave_prefetch": None, "shuffle_and_repeat_fusion": None}


class ThreadingOptions(_OptionsGroup):
    _fields = {"max_intra_op_parallelism": None, "private_threadpool_size": None}


class Options(_OptionsGroup):
    """Settings of a pipeline: `dataset.with_options(options)`, read back with `dataset.options()`."""

    _fields = {"deterministic": None, "autotune": AutotuneOptions, "experimental_distribute": DistributeOptions,
               "experimental_optimization": OptimizationOptions, "threading": ThreadingOptions,
               "experimental_external_state_policy": None, "experimental_slack": None,
               "experimental_symbolic_checkpoint": None, "experimental_warm_start": None,
               "dataset_name": None, "framework_type": None}

    @property
    def experimental_deterministic(self):
        return self.deterministic

    @experimental_deterministic.setter
    def experimental_deterministic(self, value):
        self.deterministic = value

    @property
    def experimental_threading(self):
        return self.threading

    def merge(self, options) -> "Options":
        """These options with those set in `options` taking precedence."""
        if not isinstance(options, Options):
            raise TypeError(f"`options` must be a tf.data.Options, got {options!r}.")
        return self._merge(options)
