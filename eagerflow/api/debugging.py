"""`tf.debugging`: run-time checks and traceback filtering (re-exports only)."""
from ..graph.tracebacks import (disable_traceback_filtering, enable_traceback_filtering,  # noqa: F401
                                is_traceback_filtering_enabled)
from ..ops.checks import (Assert, assert_all_finite, assert_equal, assert_greater, assert_greater_equal,  # noqa: F401
                          assert_integer, assert_less, assert_less_equal, assert_near, assert_negative,
                          assert_non_negative, assert_non_positive, assert_none_equal, assert_positive,
                          assert_proper_iterable, assert_rank, assert_rank_at_least, assert_rank_in, assert_scalar,
                          assert_shapes, assert_type, check_numerics, is_numeric_tensor)
