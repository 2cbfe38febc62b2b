"""`tf.random`."""
from ..ops.random import *  # noqa: F401,F403
from ..ops.random_generator import *  # noqa: F401,F403
