"""`tf.random.Generator`: a random number generator whose state lives in an int64 Variable.

Each draw reads the state, samples through a stateless kernel (ops/random.py) seeded by it, and
advances the state's counter. Reads and writes of a Variable are graph nodes, so a Generator
used inside `tf.function` gives new numbers at every call, and `g.state` shows where it is.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..context import init_scope, settings
from ..tensor import EagerTensor, Tensor, convert_to_tensor
from ..variables import Variable
from .random import (_U64, _float_dtype, _scale_shift, _stateless_sample, _uniform_from_seed, stateless_binomial_p,
                     stateless_full_int_p, stateless_normal_p, stateless_truncated_normal_p)

__all__ = ["Generator", "Algorithm", "get_global_generator", "set_global_generator"]


class Algorithm:
    """RNG algorithm ids (TF's `tf.random.Algorithm`); eagerflow draws with NumPy's PCG64 for all."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


_ALGS = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY, "auto_select": Algorithm.AUTO_SELECT}


def _alg_id(alg) -> int:
    if alg is None:
        return Algorithm.PHILOX
    if isinstance(alg, str) and alg.lower() in _ALGS:
        return _ALGS[alg.lower()]
    if isinstance(alg, (int, np.integer)) and int(alg) in _ALGS.values():
        return int(alg)
    raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are philox for the Philox "
                     "algorithm, threefry for the ThreeFry algorithm, and auto_select for auto-selection.")


def _state_size(alg: int) -> int:
    return 2 if alg == Algorithm.THREEFRY else 3


def _int64_words(value: int, n: int) -> np.ndarray:
    """A non-negative Python int as `n` little-endian 64-bit words, stored as int64 (two's complement)."""
    value &= (1 << (64 * n)) - 1
    return np.array([(value >> (64 * i)) & _U64 for i in range(n)], dtype=np.uint64).astype(np.int64)


class Generator:
    """A random number generator whose state is an int64 Variable (TF's `tf.random.Generator`).

    Each draw reads the state, samples through a stateless kernel seeded by it, and advances the
    state's counter, so inside `tf.function` every call gives new numbers.

    >>> import eagerflow as tf
    >>> g = tf.random.Generator.from_seed(1)
    >>> a = g.normal([2])
    >>> bool((a.numpy() == tf.random.Generator.from_seed(1).normal([2]).numpy()).all())
    True
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is given, `state` and `alg` must be None")
            alg, state = copy_from.algorithm, copy_from.state.numpy()
        if state is None:
            raise ValueError("Generator needs `copy_from` or `state`; use Generator.from_seed(seed) or "
                             "Generator.from_non_deterministic_state()")
        self._alg = _alg_id(alg)
        self._state_var = Variable(self._check_state(state), trainable=False, name="StateVar")
        self._step = np.zeros(_state_size(self._alg), np.int64)
        self._step[0] = 1

    def _check_state(self, state) -> np.ndarray:
        arr = np.asarray(state.numpy() if hasattr(state, "numpy") else state).astype(np.int64)
        size = _state_size(self._alg)
        if arr.shape != (size,):
            raise ValueError(f"Shapes {arr.shape} and [{size}] are incompatible")
        return arr

    # ---- constructors ----------------------------------------------------------------------------
    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        """A generator whose state is determined by the integer `seed`."""
        alg = _alg_id(alg)
        return cls(state=_int64_words(int(seed), _state_size(alg)), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        """A generator seeded from the operating system's entropy."""
        return cls.from_seed(np.random.SeedSequence().entropy, alg)

    @classmethod
    def from_state(cls, state, alg) -> "Generator":
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> "Generator":
        """State = counter words followed by the key (TF's Philox layout)."""
        counter = np.reshape(np.asarray(counter, np.int64), -1)
        return cls(state=np.concatenate([counter, np.reshape(np.asarray(key, np.int64), -1)]), alg=alg)

    # ---- properties and state changes --------------------------------------------------------------
    def _trackable_children(self) -> dict:
        """What tf.train.Checkpoint and SavedModels save (train/trackable.py): the state, under TF's name."""
        return {"_state_var": self._state_var}

    @property
    def state(self) -> Variable:
        return self._state_var

    @property
    def algorithm(self) -> int:
        return self._alg

    @property
    def key(self) -> Tensor:
        return convert_to_tensor(self._state_var.numpy()[-1])

    def reset(self, state) -> None:
        self._state_var.assign(self._check_state(state))

    def reset_from_seed(self, seed) -> None:
        self.reset(_int64_words(int(seed), _state_size(self._alg)))

    def reset_from_key_counter(self, key, counter) -> None:
        counter = np.reshape(np.asarray(counter, np.int64), -1)
        self.reset(np.concatenate([counter, np.reshape(np.asarray(key, np.int64), -1)]))

    def skip(self, delta) -> Tensor:
        """Advances the counter by `delta` draws; returns the state before."""
        old = self._state_var.value()
        self._state_var.assign_add(self._step * int(delta))
        return old

    def _next_seed(self) -> Tensor:
        old = self._state_var.value()
        self._state_var.assign_add(self._step)
        return old

    # ---- samplers -------------------------------------------------------------------------------------
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None) -> Tensor:
        dtype = _float_dtype("Generator.normal", dtype)
        rnd = _stateless_sample(stateless_normal_p, shape, self._next_seed(), (), dtype)
        return _scale_shift(rnd, stddev, mean, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None) -> Tensor:
        dtype = _float_dtype("Generator.truncated_normal", dtype)
        rnd = _stateless_sample(stateless_truncated_normal_p, shape, self._next_seed(), (), dtype)
        return _scale_shift(rnd, stddev, mean, dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=_dt.float32, name=None) -> Tensor:
        """Uniform in [minval, maxval); integer dtypes need both bounds, or neither (full range)."""
        dtype = _dt.as_dtype(dtype)
        return _uniform_from_seed(shape, self._next_seed(), minval, maxval, dtype, stateless=False)

    def uniform_full_int(self, shape, dtype=_dt.uint64, name=None) -> Tensor:
        return _stateless_sample(stateless_full_int_p, shape, self._next_seed(), (), _dt.as_dtype(dtype))

    def binomial(self, shape, counts, probs, dtype=_dt.int32, name=None) -> Tensor:
        counts = convert_to_tensor(counts, dtype_hint=_dt.float32)
        probs = convert_to_tensor(probs, dtype_hint=counts.dtype)
        return _stateless_sample(stateless_binomial_p, shape, self._next_seed(), (counts, probs),
                                 _dt.as_dtype(dtype))

    def make_seeds(self, count=1) -> Tensor:
        """`count` stateless seeds as an int64 tensor of shape [2, count]."""
        return self.uniform_full_int([2, int(count)], dtype=_dt.int64)

    def split(self, count=1) -> list:
        """`count` new, independent generators (their states are drawn from this one); eager only."""
        states = self.uniform_full_int([int(count), _state_size(self._alg)], dtype=_dt.int64)
        if not isinstance(states, EagerTensor):
            raise TypeError("Generator.split creates Variables from drawn states, so it must run eagerly "
                            "(call it outside tf.function)")
        return [Generator(state=s, alg=self._alg) for s in states.numpy()]

    def __repr__(self) -> str:
        return f"<eagerflow Generator alg={self._alg} state={self._state_var.numpy().tolist()}>"


def get_global_generator() -> Generator:
    """The process-wide Generator, created from nondeterministic state on first use."""
    g = settings.global_generator
    if g is None:
        with init_scope():
            g = Generator.from_non_deterministic_state()
        with settings.lock:
            if settings.global_generator is None:
                settings.global_generator = g
            g = settings.global_generator
    return g


def set_global_generator(generator: Generator) -> None:
    """Replaces the global generator (functions that captured the old one keep using it)."""
    settings.global_generator = generator
