"""An `if` on a tensor inside tf.function (TF 2.x Eager Execution chapter, section 3.2.3).

    python examples/autograph_cond.py

Eagerly, `if condition:` reads the tensor's value like any Python bool. While tf.function traces,
the condition has no value yet, so the branch must become a graph op: AutoGraph rewrites the `if`
into a `tf.cond`, the form `my_function_cond` writes by hand.
"""
import eagerflow as tf


def my_function(condition):
    if condition:
        return tf.constant(10)
    else:
        return tf.constant(20)


@tf.function
def my_function_cond(condition):
    return tf.cond(condition, lambda: tf.constant(10), lambda: tf.constant(20))


if __name__ == "__main__":
    print("eager:", my_function(tf.constant(True)), my_function(tf.constant(False)))
    print("tf.cond:", my_function_cond(tf.constant(True)), my_function_cond(tf.constant(False)))
    graph_function = tf.function(my_function)
    print("AutoGraph:", graph_function(tf.constant(True)), graph_function(tf.constant(False)))
    print(tf.autograph.to_code(my_function))
    print(graph_function.get_concrete_function(tf.constant(True)).graph)
