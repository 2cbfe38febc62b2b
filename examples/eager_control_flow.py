"""Python control flow on eager tensors (TF 2.x Eager Execution chapter, sections 3.2.1 and 4.1).

    python examples/eager_control_flow.py

An `if` on a tensor and a `for` loop over `range(tensor)` run as plain Python: each operation is
evaluated immediately, so no tf.cond or tf.while_loop is needed. The chapter also switches
`tf.function`s to eager execution; the call is deprecated (TF logs a warning naming
`tf.config.run_functions_eagerly`), and `compute` below is not a tf.function, so it runs eagerly
either way.
"""
import eagerflow as tf


def compute(x):
    if x > 0:          # a scalar bool tensor used as a Python condition
        return x * 2
    else:
        return x * 3


def compute_sum(n):
    total = 0
    for i in range(n):  # range() accepts an integer scalar tensor
        total += i
    return total


if __name__ == "__main__":
    tf.config.experimental_run_functions_eagerly(True)
    print(compute(tf.constant(5)))    # tf.Tensor(10, shape=(), dtype=int32)
    print(compute(tf.constant(-1)))   # tf.Tensor(-3, shape=(), dtype=int32)
    n = tf.constant(5)
    result = compute_sum(n)
    print(result)                     # 10
    tf.config.experimental_run_functions_eagerly(False)
