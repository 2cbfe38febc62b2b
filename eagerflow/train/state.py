"""The `checkpoint` state file: which checkpoints of a directory exist and which is the latest.

It is TF's CheckpointState in protobuf text format, one field per line, so TF tools and people
can read it::

    model_checkpoint_path: "ckpt-3"
    all_model_checkpoint_paths: "ckpt-2"
    all_model_checkpoint_paths: "ckpt-3"
    all_model_checkpoint_timestamps: 1700000000.5
    all_model_checkpoint_timestamps: 1700000100.25
    last_preserved_timestamp: 1699999990.0

Paths inside the directory are written relative to it. The file is replaced atomically, and only
after the checkpoint it names is complete, so it never points at a partial checkpoint.
"""
from __future__ import annotations

import os
import re

from .. import io_format
from ..context import logger

__all__ = ["CheckpointState", "get_checkpoint_state", "update_checkpoint_state", "latest_checkpoint"]

_LINE = re.compile(r'^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


class CheckpointState:
    """TF's CheckpointState: the latest checkpoint, all kept ones, their save times."""

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=(), all_model_checkpoint_timestamps=(),
                 last_preserved_timestamp=0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = float(last_preserved_timestamp)

    def __repr__(self):
        return to_text(self)


def _quote(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{out}"'


def _unquote(raw: str) -> str:
    if len(raw) < 2 or raw[0] != raw[-1] or raw[0] not in "\"'":
        raise ValueError(f"expected a quoted string, got {raw!r}")
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt.isdigit():  # octal byte, as protobuf writes non-printable characters
            digits = re.match(r"[0-7]{1,3}", body[i + 1:]).group(0)
            out.append(chr(int(digits, 8)))
            i += 1 + len(digits)
        else:
            raise ValueError(f"bad escape in {raw!r}")
    return "".join(out)


def to_text(state: CheckpointState) -> str:
    lines = [f"model_checkpoint_path: {_quote(state.model_checkpoint_path)}"]
    lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in state.all_model_checkpoint_paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in state.all_model_checkpoint_timestamps]
    if state.last_preserved_timestamp:
        lines.append(f"last_preserved_timestamp: {state.last_preserved_timestamp!r}")
    return "\n".join(lines) + "\n"


def parse(text: str) -> CheckpointState:
    """Reads the text format (raises ValueError on anything else; nothing in it is executed)."""
    state = CheckpointState()
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"cannot parse line {line!r}")
        key, raw = m.groups()
        if key == "model_checkpoint_path":
            state.model_checkpoint_path = _unquote(raw)
        elif key == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unquote(raw))
        elif key == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(raw))
        elif key == "last_preserved_timestamp":
            state.last_preserved_timestamp = float(raw)
        else:
            raise ValueError(f"unknown field {key!r}")
    return state


def _state_path(checkpoint_dir: str, latest_filename) -> str:
    return os.path.join(os.fspath(checkpoint_dir), latest_filename or "checkpoint")


def _absolute(checkpoint_dir: str, path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(checkpoint_dir, path)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The directory's CheckpointState with absolute paths, or None when there is no (readable) state file."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    path = _state_path(checkpoint_dir, latest_filename)
    try:
        with open(path, encoding="utf-8") as f:
            state = parse(f.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as e:
        logger.warning("%s: the checkpoint state file could not be read (%s); ignoring it.", path, e)
        return None
    if not state.model_checkpoint_path:
        logger.warning("%s: the checkpoint state file names no model_checkpoint_path; ignoring it.", path)
        return None
    state.model_checkpoint_path = _absolute(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [_absolute(checkpoint_dir, p) for p in state.all_model_checkpoint_paths]
    return state


def update_checkpoint_state(save_dir, model_checkpoint_path: str, all_model_checkpoint_paths, timestamps=None,
                            last_preserved_timestamp=None, latest_filename=None) -> None:
    """Atomically rewrites the state file (paths inside `save_dir` are stored relative to it)."""
    save_dir = os.fspath(save_dir)

    def rel(p):
        p = os.fspath(p)
        if os.path.dirname(os.path.abspath(p)) == os.path.abspath(save_dir):
            return os.path.basename(p)
        return p
    state = CheckpointState(rel(model_checkpoint_path), [rel(p) for p in all_model_checkpoint_paths],
                            timestamps or (), last_preserved_timestamp or 0.0)
    io_format.atomic_write(_state_path(save_dir, latest_filename), to_text(state).encode("utf-8"))


def checkpoint_exists(prefix: str) -> bool:
    return os.path.exists(prefix + ".index")


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in `checkpoint_dir`, or None when there is none.

    >>> import eagerflow as tf
    >>> tf.train.latest_checkpoint("/nonexistent") is None
    True
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None:
        return None
    if checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    logger.warning("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None
