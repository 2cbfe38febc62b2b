"""String hashing and vocabulary lookup kernels for the categorical preprocessing layers.

TF hashes with FarmHash's 64-bit fingerprint (`tf.strings.to_hash_bucket_fast`) and keyed SipHash-2-4
(`to_hash_bucket_strong`); both are written here in plain Python so bucket numbers equal TF's. eagerflow's
ops have no hash or table-lookup op yet, so the two primitives below (unregistered: Keras-internal) give
the layers kernels that also run under tf.function.

>>> from eagerflow.keras.layers.preprocessing_hash import fingerprint64
>>> fingerprint64(b"hello") % 5
1
"""
from __future__ import annotations

import functools
import struct

import numpy as np

import eagerflow as tf

_M = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _rot(v: int, s: int) -> int:
    """Rotate a 64-bit value right by `s` bits."""
    return v if s == 0 else ((v >> s) | (v << (64 - s))) & _M


def _u64(s: bytes, i: int) -> int:
    return struct.unpack_from("<Q", s, i)[0]


def _u32(s: bytes, i: int) -> int:
    return struct.unpack_from("<I", s, i)[0]


def _mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = _mix(((u ^ v) * mul) & _M)
    b = _mix(((v ^ a) * mul) & _M)
    return (b * mul) & _M


def _short(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = _K2 + 2 * n
        a = (_u64(s, 0) + _K2) & _M
        b = _u64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _len16(c, d, mul)
    if n >= 4:
        return _len16(n + (_u32(s, 0) << 3), _u32(s, n - 4), _K2 + 2 * n)
    if n:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _medium(s: bytes) -> int:
    n = len(s)
    mul = _K2 + 2 * n
    a = (_u64(s, 0) * (_K1 if n <= 32 else _K2)) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    z = (a + _rot((b + _K2) & _M, 18) + c) & _M
    if n <= 32:
        return _len16(y, z, mul)
    z = _len16(y, z, mul)
    e = (_u64(s, 16) * mul) & _M
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _M
    h = ((z + _u64(s, n - 24)) * mul) & _M
    return _len16((_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M, (e + _rot((f + a) & _M, 18) + g) & _M, mul)


def _weak32(s: bytes, i: int, a: int, b: int):
    w, x, y, z = struct.unpack_from("<4Q", s, i)
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def _long(s: bytes) -> int:
    n = len(s)
    x, y = 81, (81 * _K1 + 113) & _M
    z = (_mix((y * _K2 + 113) & _M) * _K2) & _M
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _u64(s, 0)) & _M
    last = ((n - 1) // 64) * 64 + ((n - 1) & 63) - 63
    for i in range(0, ((n - 1) // 64) * 64, 64):
        x = (_rot((x + y + v[0] + _u64(s, i + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v[1] + _u64(s, i + 48)) & _M, 42) * _K1) & _M
        x ^= w[1]
        y = (y + v[0] + _u64(s, i + 40)) & _M
        z = (_rot((z + w[0]) & _M, 33) * _K1) & _M
        v = _weak32(s, i, (v[1] * _K1) & _M, (x + w[0]) & _M)
        w = _weak32(s, i + 32, (z + w[1]) & _M, (y + _u64(s, i + 16)) & _M)
        z, x = x, z
    mul = _K1 + ((z & 0xFF) << 1)
    w = ((w[0] + ((n - 1) & 63)) & _M, w[1])
    v = ((v[0] + w[0]) & _M, v[1])
    w = ((w[0] + v[0]) & _M, w[1])
    x = (_rot((x + y + v[0] + _u64(s, last + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v[1] + _u64(s, last + 48)) & _M, 42) * mul) & _M
    x ^= (w[1] * 9) & _M
    y = (y + v[0] * 9 + _u64(s, last + 40)) & _M
    z = (_rot((z + w[0]) & _M, 33) * mul) & _M
    v = _weak32(s, last, (v[1] * mul) & _M, (x + w[0]) & _M)
    w = _weak32(s, last + 32, (z + w[1]) & _M, (y + _u64(s, last + 16)) & _M)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _mix(y) * _K0 + z) & _M, (_len16(v[1], w[1], mul) + x) & _M, mul)


def fingerprint64(s: bytes) -> int:
    """FarmHash's 64-bit fingerprint of `s` (what TF's fast string hashing uses), as an unsigned int."""
    n = len(s)
    if n <= 16:
        return _short(s)
    if n <= 64:
        return _medium(s)
    return _long(s)


def _rotl(v: int, s: int) -> int:
    return ((v << s) | (v >> (64 - s))) & _M


def _sip_rounds(v, rounds: int):
    v0, v1, v2, v3 = v
    for _ in range(rounds):
        v0 = (v0 + v1) & _M
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _M
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _M
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _M
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash(key, s: bytes) -> int:
    """SipHash-2-4 of `s` under the 128-bit key `(k0, k1)` (TF's strong string hashing)."""
    k0, k1 = (int(k) & _M for k in key)
    v = (k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573)
    full = len(s) // 8 * 8
    words = [_u64(s, i) for i in range(0, full, 8)]
    words.append(int.from_bytes(s[full:], "little") | ((len(s) & 0xFF) << 56))
    for m in words:
        v = _sip_rounds((v[0], v[1], v[2], v[3] ^ m), 2)
        v = (v[0] ^ m,) + v[1:]
    v0, v1, v2, v3 = _sip_rounds((v[0], v[1], v[2] ^ 0xFF, v[3]), 4)
    return v0 ^ v1 ^ v2 ^ v3


# ---- kernels -------------------------------------------------------------------------------------------

def _as_bytes(v) -> bytes:
    """An element as TF's as_string / string tensors see it (integers in decimal)."""
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    return str(int(v)).encode()


def _bucket_kernel(x, *, num_bins, key):
    flat = np.reshape(x, -1)
    out = np.empty(flat.shape, np.int64)
    if key is None:
        for i, v in enumerate(flat):
            out[i] = fingerprint64(_as_bytes(v)) % num_bins
    else:
        for i, v in enumerate(flat):
            out[i] = siphash(key, _as_bytes(v)) % num_bins
    return out.reshape(np.shape(x))


_hash_p = tf.primitive.Primitive("KerasHashToBucket", _bucket_kernel, dtype_rule=lambda d, **a: tf.int64,
                                 shape_rule=lambda s, **a: s, register=False)


def hash_to_bucket(x, num_bins: int, key=None):
    """Bucket of each element of `x` (strings, or integers hashed as their decimal text), int64."""
    return tf.primitive.bind(_hash_p, tf.convert_to_tensor(x), num_bins=int(num_bins),
                             key=None if key is None else tuple(int(k) for k in key))


@functools.lru_cache(maxsize=32)
def _table(vocab: tuple) -> dict:
    return {v: i for i, v in enumerate(vocab)}


def _lookup_kernel(x, *, vocab, oov_start, num_oov, method, key):
    table = _table(vocab)
    flat = np.reshape(x, -1)
    out = np.empty(flat.shape, np.int64)
    missing = []
    for i, v in enumerate(flat):
        j = table.get(v if isinstance(v, bytes) else int(v))
        if j is not None:
            out[i] = j
        elif num_oov == 0:
            missing.append(v)
        elif num_oov == 1:
            out[i] = oov_start
        elif method == "floormod":
            out[i] = oov_start + int(v) % num_oov
        elif key is None:
            out[i] = oov_start + fingerprint64(_as_bytes(v)) % num_oov
        else:
            out[i] = oov_start + siphash(key, _as_bytes(v)) % num_oov
    if missing:
        raise tf.errors.InvalidArgumentError(
            None, None, "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
            f"{missing}, consider setting `num_oov_indices=1`.")
    return out.reshape(np.shape(x))


_lookup_p = tf.primitive.Primitive("KerasVocabularyLookup", _lookup_kernel, dtype_rule=lambda d, **a: tf.int64,
                                   shape_rule=lambda s, **a: s, register=False)


def lookup(x, vocab: tuple, oov_start: int, num_oov: int, method: str = "farmhash", key=None):
    """Index of each element of `x` in `vocab` (entries that are None never match); misses go to
    `oov_start`, or into `num_oov` buckets from there (by `floormod` of the integer, or by hash, as
    Keras's lookup layers do); with `num_oov == 0` a miss is an error."""
    return tf.primitive.bind(_lookup_p, tf.convert_to_tensor(x), vocab=vocab, oov_start=int(oov_start),
                             num_oov=int(num_oov), method=method,
                             key=None if key is None else tuple(int(k) for k in key))


def _reverse_kernel(x, *, vocab, default, is_string):
    flat = np.reshape(x, -1)
    out = np.empty(flat.shape, object if is_string else np.int64)
    n = len(vocab)
    for i, v in enumerate(flat):
        out[i] = vocab[v] if 0 <= v < n else default
    return out.reshape(np.shape(x))


_reverse_p = tf.primitive.Primitive("KerasVocabularyReverse", _reverse_kernel,
                                    dtype_rule=lambda d, **a: tf.string if a["is_string"] else tf.int64,
                                    shape_rule=lambda s, **a: s, register=False)


def reverse_lookup(x, vocab: tuple, default, is_string: bool):
    """`vocab[i]` for each index of `x`; indices outside the vocabulary give `default`."""
    return tf.primitive.bind(_reverse_p, tf.cast(x, tf.int64), vocab=vocab, default=default, is_string=is_string)
