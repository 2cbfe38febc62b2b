"""`tf.random`."""
from ..ops.random import *  # noqa: F401,F403
