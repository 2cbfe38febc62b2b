"""tf.errors: TF's class hierarchy, constructors and error codes."""
import pickle

import pytest

import eagerflow as tf

CODES = {
    "CancelledError": 1, "UnknownError": 2, "InvalidArgumentError": 3, "DeadlineExceededError": 4,
    "NotFoundError": 5, "AlreadyExistsError": 6, "PermissionDeniedError": 7, "ResourceExhaustedError": 8,
    "FailedPreconditionError": 9, "AbortedError": 10, "OutOfRangeError": 11, "UnimplementedError": 12,
    "InternalError": 13, "UnavailableError": 14, "DataLossError": 15, "UnauthenticatedError": 16,
}


@pytest.mark.parametrize("name,code", sorted(CODES.items()))
def test_tf_three_argument_constructor(name, code):
    cls = getattr(tf.errors, name)
    assert issubclass(cls, tf.errors.OpError) and issubclass(cls, Exception)
    e = cls(None, None, "msg")
    assert str(e) == "msg" and e.message == "msg"
    assert e.op is None and e.node_def is None
    assert e.error_code == code
    assert e.experimental_payloads == {}
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls and str(again) == "msg"


def test_error_code_constants():
    assert tf.errors.OK == 0 and tf.errors.INVALID_ARGUMENT == 3 and tf.errors.NOT_FOUND == 5
    assert tf.errors.OUT_OF_RANGE == 11 and tf.errors.UNAUTHENTICATED == 16
    assert tf.errors.InvalidArgumentError(None, None, "m").error_code == tf.errors.INVALID_ARGUMENT


def test_op_error_four_arguments():
    e = tf.errors.OpError(None, None, "m", 3)
    assert e.error_code == 3 and str(e) == "m"


def test_wrong_argument_count_is_a_type_error():
    with pytest.raises(TypeError):
        tf.errors.InvalidArgumentError()
    with pytest.raises(TypeError):
        tf.errors.InvalidArgumentError(None, "msg")


def test_op_errors_raised_by_ops_are_catchable_as_op_error():
    with pytest.raises(tf.errors.OpError) as info:
        tf.constant(1) + tf.constant(1.0)
    e = info.value
    assert isinstance(e, tf.errors.InvalidArgumentError) and e.error_code == 3
    assert "[Op:AddV2]" in e.message and "int32" in e.message


def test_graph_errors_are_python_errors():
    assert issubclass(tf.errors.OperatorNotAllowedInGraphError, TypeError)
