"""`tf.math`."""
from ..ops.math import *  # noqa: F401,F403
from ..ops.reduce import *  # noqa: F401,F403
from ..ops.math import abs, pow  # noqa: F401  (names that shadow builtins are exported explicitly)
from ..ops.reduce import count_nonzero, cumprod, reduce_euclidean_norm, reduce_std, reduce_variance  # noqa: F401
from ..ops.sort import bincount, segment_sum, top_k, unsorted_segment_sum  # noqa: F401
from ..ops.nn import log_softmax, softmax  # noqa: F401
from ..ops.checks import is_non_decreasing, is_strictly_increasing  # noqa: F401
