"""`tf.math`."""
from ..ops.math import *  # noqa: F401,F403
from ..ops.reduce import *  # noqa: F401,F403
from ..ops.math import abs, pow  # noqa: F401  (names that shadow builtins are exported explicitly)
