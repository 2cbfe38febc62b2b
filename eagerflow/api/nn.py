"""`tf.nn`."""
from ..ops.nn import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.sort import top_k  # noqa: F401
