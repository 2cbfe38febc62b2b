"""eagerflow: TensorFlow 2's execution model, small and fast, on NumPy.

Use it as TensorFlow::

    import eagerflow as tf
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    print(tape.gradient(y, x))   # tf.Tensor(6.0, shape=(), dtype=float32)

This module only re-exports; each name lives in the module that implements it.
"""
from . import _memory  # noqa: F401 - malloc tuning, first (see its docstring)
from . import dtypes, errors, nest  # noqa: F401
from .dtypes import *  # noqa: F401,F403
from .dtypes import DType, as_dtype  # noqa: F401
from .shapes import TensorShape  # noqa: F401
from .tensor import Tensor, constant, convert_to_tensor, is_tensor  # noqa: F401
from .context import executing_eagerly, init_scope, name_scope  # noqa: F401
from .variables import Variable, VariableAggregation, VariableSynchronization  # noqa: F401
from .module import Module  # noqa: F401
from .autodiff.tape import GradientTape, UnconnectedGradients  # noqa: F401
from .autodiff.custom_gradient import custom_gradient  # noqa: F401
from .ops.math import *  # noqa: F401,F403
from .ops.math import abs, pow  # noqa: F401
from .ops.array import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.linalg import einsum, matmul, norm, tensordot  # noqa: F401 - the rest is tf.linalg only, as TF
from .ops.sort import *  # noqa: F401,F403
from .ops.io import *  # noqa: F401,F403
from .ops.control_flow import case, cond, switch_case, while_loop  # noqa: F401
from .ops.tensor_array import TensorArray  # noqa: F401
from .ops.functional import foldl, foldr, map_fn, scan  # noqa: F401
from .api import debugging  # noqa: F401
from .ops.checks import Assert  # noqa: F401 - TF 2's top-level check aliases
from .ops.checks import assert_equal, assert_greater, assert_less, assert_rank  # noqa: F401
from . import autograph  # noqa: F401
from .api import linalg, math, nn, random, strings  # noqa: F401
from .tensor import get_static_value  # noqa: F401
from .tensor_spec import TensorSpec  # noqa: F401
from .graph.ir import Graph  # noqa: F401
from .function import function  # noqa: F401
from .api import config  # noqa: F401
from . import data  # noqa: F401
from .api.device import device  # noqa: F401
from .api.deps import control_dependencies, group, no_op  # noqa: F401
from . import compat  # noqa: F401
from . import saved_model, train  # noqa: F401
from . import summary  # noqa: F401
from . import keras  # noqa: F401

newaxis = None
__version__ = "0.1.0"
