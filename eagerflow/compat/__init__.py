"""`tf.compat`: TF1's graph-and-session API (`tf.compat.v1`) and TF's text helpers.

>>> import eagerflow as tf
>>> tf.compat.as_bytes("abc"), tf.compat.as_str(b"abc")
(b'abc', 'abc')
"""
from __future__ import annotations

from . import v1  # noqa: F401

__all__ = ["v1", "as_bytes", "as_text", "as_str"]


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """`bytes_or_text` as bytes (text is encoded)."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """`bytes_or_text` as str (bytes are decoded)."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text
