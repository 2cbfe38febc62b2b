"""`tf.strings`."""
from ..ops.strings import *  # noqa: F401,F403
