"""`tf.errors`: TensorFlow's exception classes.

They accept TF's `(node_def, op, message)` constructor as well as a plain message:

>>> import eagerflow as tf
>>> str(tf.errors.InvalidArgumentError(None, None, "bad"))
'bad'
"""
from __future__ import annotations

__all__ = [
    "OpError", "CancelledError", "UnknownError", "InvalidArgumentError", "DeadlineExceededError",
    "NotFoundError", "AlreadyExistsError", "PermissionDeniedError", "UnauthenticatedError",
    "ResourceExhaustedError", "FailedPreconditionError", "AbortedError", "OutOfRangeError",
    "UnimplementedError", "InternalError", "UnavailableError", "DataLossError",
    "OperatorNotAllowedInGraphError", "InaccessibleTensorError",
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
]


# TF's canonical error codes (tf.errors.OK ... tf.errors.UNAUTHENTICATED).
OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = 0, 1, 2, 3, 4, 5, 6
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE = 7, 8, 9, 10, 11
UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = 12, 13, 14, 15, 16


class OpError(Exception):
    """Base of the errors an op raises; `.op` and `.node_def` name where it happened.

    TF's constructors are `OpError(node_def, op, message, error_code)` and, for the subclasses,
    `(node_def, op, message)`; a lone message is also accepted for convenience.
    """

    error_code = UNKNOWN

    def __init__(self, *args):
        if len(args) == 1:
            node_def, op, message = None, None, args[0]
        elif len(args) in (3, 4):
            node_def, op, message = args[:3]
            if len(args) == 4 and args[3] is not None:
                self.error_code = args[3]
        else:
            raise TypeError(f"{type(self).__name__}() takes (node_def, op, message), got {len(args)} arguments")
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message
        self.experimental_payloads = {}

    def __str__(self):
        return str(self.message)

    def __reduce__(self):
        return type(self), (self.node_def, None, self.message)


def _make(name: str, code: int):
    cls = type(name, (OpError,), {"error_code": code, "__doc__": f"TF's `{name}`."})
    cls.__module__ = __name__
    return cls


CancelledError = _make("CancelledError", 1)
UnknownError = _make("UnknownError", 2)
InvalidArgumentError = _make("InvalidArgumentError", 3)
DeadlineExceededError = _make("DeadlineExceededError", 4)
NotFoundError = _make("NotFoundError", 5)
AlreadyExistsError = _make("AlreadyExistsError", 6)
PermissionDeniedError = _make("PermissionDeniedError", 7)
ResourceExhaustedError = _make("ResourceExhaustedError", 8)
FailedPreconditionError = _make("FailedPreconditionError", 9)
AbortedError = _make("AbortedError", 10)
OutOfRangeError = _make("OutOfRangeError", 11)
UnimplementedError = _make("UnimplementedError", 12)
InternalError = _make("InternalError", 13)
UnavailableError = _make("UnavailableError", 14)
DataLossError = _make("DataLossError", 15)
UnauthenticatedError = _make("UnauthenticatedError", 16)


class OperatorNotAllowedInGraphError(TypeError):
    """A symbolic tensor was used where Python needs a concrete value (e.g. as a bool)."""


class InaccessibleTensorError(ValueError):
    """A graph tensor was used outside the graph (or branch) that created it."""
