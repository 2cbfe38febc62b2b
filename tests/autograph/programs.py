"""A table of control-flow programs, each plain Python on tensors.

Every program runs eagerly (as written) and under tf.function (AutoGraph converts it); the test
module compares the results, and for the differentiable ones the gradients. `PROGRAMS` rows are
(name, function, argument factory, differentiable).
"""
import numpy as np

import eagerflow as tf

C = tf.constant


def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def first_square_above(x):
    for i in tf.range(10):
        if i * i > x:
            return i
    return -1


def break_in_nested_loops(n):
    total = 0
    for i in tf.range(n):
        for j in tf.range(n):
            if j > i:
                break
            total += j
    return total


def sum_rows_squared(m):
    total = tf.zeros([m.shape[1]])
    for row in m:
        total += row * row
    return total


def accumulate_with_append(n):
    values = []
    for i in tf.range(n):
        values.append(i * 3)
    return tf.stack(values)


def fizzbuzz_codes(n):
    codes = []
    for i in tf.range(1, n + 1):
        if i % 15 == 0:
            code = 3
        elif i % 5 == 0:
            code = 2
        elif i % 3 == 0:
            code = 1
        else:
            code = 0
        codes.append(code)
    return tf.stack(codes)


def growing_tensor(limit):
    x = tf.constant([1.0])
    while tf.reduce_sum(x) < limit:
        x = tf.concat([x, x * 2.0], 0)
    return x


def python_bool_guard(n):
    keep_going = True
    i = tf.constant(0)
    while keep_going and i < n:
        i += 2
    return i


def continue_odd_sum(n):
    total = 0
    for i in tf.range(n):
        if i % 2 == 0:
            continue
        total += i
    return total


def sign(x):
    if x > 0:
        s = 1.0
    elif x < 0:
        s = -1.0
    else:
        s = 0.0
    return s * tf.abs(x) + s


def ternary(x):
    return x * 2.0 if x > 1.0 else x * x


def logical_ops(x, y):
    a = (x > 0) and (y > 0)
    b = (x > 0) or (y > 0)
    c = not (x > y)
    return tf.cast(a, tf.int32) * 4 + tf.cast(b, tf.int32) * 2 + tf.cast(c, tf.int32)


def nested_if_in_while(x):
    i = 0
    while i < 6:
        if x > 2.0:
            if i % 2 == 0:
                x = x - 1.0
            else:
                x = x * 1.5
        else:
            x = x + 2.0
        i += 1
    return x


def python_list_loop(x):
    for w in [1.0, 2.0, 3.0]:
        x = x * w + 1.0
    return x


def python_range_loop(x):
    for i in range(4):
        x = x + float(i)
    return x


def range_of_tensor(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def stepped_range(n):
    total = 0
    for i in tf.range(0, n, 3):
        total += i
    return total


def reverse_range(n):
    seen = []
    for i in tf.range(n, 0, -1):
        seen.append(i)
    return tf.stack(seen)


def fibonacci(n):
    a, b = 0, 1
    for _ in tf.range(n):
        a, b = b, a + b
    return a


def absolute(x):
    if x < 0:
        return -x
    return x


def classify(x):
    if x < -1.0:
        return x * 0.0 - 1.0
    elif x > 1.0:
        return x * 0.0 + 1.0
    else:
        return x


def _helper_square_if_positive(v):
    if v > 0:
        return v * v
    return v


def calls_user_function(x):
    return _helper_square_if_positive(x) + _helper_square_if_positive(-x)


def nested_def(x):
    def clip(v):
        if v > 3.0:
            v = 3.0 + 0.0 * v
        return v
    return clip(x) + clip(x * 2.0)


def while_else_with_break(n):
    i = 0
    found = -1
    while i < 20:
        if i * i == n:
            found = i
            break
        i += 1
    else:
        found = -2
    return found


def for_else_without_break(n):
    total = 0
    for i in tf.range(n):
        total += i
    else:
        total += 100
    return total


def temporary_in_loop(n):
    total = 0
    for i in tf.range(n):
        square = i * i
        total += square
    return total


def polynomial_loop(x):
    y = x
    for _ in tf.range(3):
        y = y * x + 1.0
    return y


def piecewise(x):
    if x > 1.0:
        y = x * x
    else:
        y = tf.sin(x) * 3.0
    return y


def power_by_loop(x, n):
    result = tf.ones_like(x)
    i = 0
    while i < n:
        result = result * x
        i += 1
    return result


def counter_variable(n):
    v = tf.Variable(0)
    for i in tf.range(n):
        v.assign_add(i)
    return v.read_value()


def assert_passes(x):
    assert x > 0, "x must be positive"
    return x + 1


def tensor_break_in_python_loop(x):
    total = 0.0
    for w in [1.0, 2.0, 3.0, 4.0]:
        if total > x:
            break
        total += w
    return total


def nested_while(n):
    count = 0
    i = 0
    while i < n:
        j = 0
        while j < i:
            count += 1
            j += 1
        i += 1
    return count


def explicit_tensor_array(n):
    ta = tf.TensorArray(tf.float32, size=n)
    for i in tf.range(n):
        ta = ta.write(i, tf.cast(i, tf.float32) / 2.0)
    return ta.stack()


def float_accumulator(x):
    s = 0.0
    for v in x:
        s += v
    return s


def branch_python_values(x):
    if x > 0:
        k = 1
    else:
        k = 2
    return k * 10


def chained_comparison(x):
    if 0.0 < x < 10.0:
        return x
    return -x


def newton_sqrt(a):
    x = a
    i = 0
    while tf.abs(x * x - a) > 1e-4 and i < 50:
        x = 0.5 * (x + a / x)
        i += 1
    return x


def gcd(a, b):
    while b != 0:
        a, b = b, a % b
    return a


def is_prime(n):
    if n < 2:
        return False
    result = True
    for d in tf.range(2, n):
        if d * d > n:
            break
        if n % d == 0:
            result = False
            break
    return result


def digit_sum(n):
    total = 0
    while n > 0:
        total += n % 10
        n = n // 10
    return total


def argmax_loop(x):
    best = x[0]
    best_i = 0
    for i in tf.range(1, tf.size(x)):
        if x[i] > best:
            best = x[i]
            best_i = i
    return best_i, best


def cumulative_products(x):
    out = []
    p = 1.0
    for v in x:
        p = p * v
        out.append(p)
    return tf.stack(out)


def len_static_loop(x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] * float(i)
    return total


def if_without_else(x):
    y = x
    if x > 2.0:
        y = y * 10.0
    return y


def softplus_steps(x):
    for _ in tf.range(2):
        x = tf.math.log(1.0 + tf.exp(x))
    return x


def map_with_converted_lambda(x):
    return tf.map_fn(lambda v: v * 2.0 if v > 0 else -v, x)


PROGRAMS = [
    ("collatz", collatz, lambda: [C(27)], False),
    ("early_return_in_loop", first_square_above, lambda: [C(20)], False),
    ("early_return_falls_through", first_square_above, lambda: [C(500)], False),
    ("break_in_nested_loops", break_in_nested_loops, lambda: [C(5)], False),
    ("for_over_tensor", sum_rows_squared, lambda: [C([[1.0, 2.0], [3.0, 4.0], [5.0, -1.0]])], True),
    ("accumulate_with_append", accumulate_with_append, lambda: [C(5)], False),
    ("fizzbuzz_codes", fizzbuzz_codes, lambda: [C(15)], False),
    ("growing_tensor", growing_tensor, lambda: [C(20.0)], False),
    ("python_bool_guard", python_bool_guard, lambda: [C(7)], False),
    ("continue_odd_sum", continue_odd_sum, lambda: [C(10)], False),
    ("if_elif_else", sign, lambda: [C(-2.5)], True),
    ("if_elif_else_zero", sign, lambda: [C(0.0)], False),
    ("ternary", ternary, lambda: [C(0.5)], True),
    ("ternary_other_branch", ternary, lambda: [C(3.0)], True),
    ("logical_ops", logical_ops, lambda: [C(1.0), C(-1.0)], False),
    ("nested_if_in_while", nested_if_in_while, lambda: [C(2.5)], True),
    ("python_list_loop", python_list_loop, lambda: [C(1.5)], True),
    ("python_range_loop", python_range_loop, lambda: [C(1.0)], True),
    ("range_of_tensor", range_of_tensor, lambda: [C(6)], False),
    ("stepped_range", stepped_range, lambda: [C(10)], False),
    ("reverse_range", reverse_range, lambda: [C(4)], False),
    ("fibonacci", fibonacci, lambda: [C(10)], False),
    ("return_in_if", absolute, lambda: [C(-3.0)], True),
    ("returns_in_elif_chain", classify, lambda: [C(0.25)], True),
    ("calls_user_function", calls_user_function, lambda: [C(2.0)], True),
    ("nested_def", nested_def, lambda: [C(2.0)], True),
    ("while_else_with_break", while_else_with_break, lambda: [C(49)], False),
    ("while_else_without_break", while_else_with_break, lambda: [C(50)], False),
    ("for_else_without_break", for_else_without_break, lambda: [C(4)], False),
    ("temporary_in_loop", temporary_in_loop, lambda: [C(4)], False),
    ("polynomial_loop", polynomial_loop, lambda: [C(1.5)], True),
    ("piecewise_cond", piecewise, lambda: [C(0.5)], True),
    ("power_by_loop", power_by_loop, lambda: [C(1.3), C(4)], True),
    ("counter_variable", counter_variable, lambda: [C(5)], False),
    ("assert_passes", assert_passes, lambda: [C(2)], False),
    ("tensor_break_in_python_loop", tensor_break_in_python_loop, lambda: [C(2.5)], False),
    ("nested_while", nested_while, lambda: [C(5)], False),
    ("explicit_tensor_array", explicit_tensor_array, lambda: [C(4)], False),
    ("float_accumulator", float_accumulator, lambda: [C([1.0, 2.0, 3.5])], True),
    ("branch_python_values", branch_python_values, lambda: [C(-1.0)], False),
    ("chained_comparison", chained_comparison, lambda: [C(3.0)], True),
    ("newton_sqrt", newton_sqrt, lambda: [C(2.0)], True),
    ("gcd", gcd, lambda: [C(84), C(36)], False),
    ("is_prime", is_prime, lambda: [C(97)], False),
    ("is_prime_composite", is_prime, lambda: [C(91)], False),
    ("digit_sum", digit_sum, lambda: [C(98765)], False),
    ("argmax_loop", argmax_loop, lambda: [C([3.0, 7.0, 1.0, 9.0, 2.0])], False),
    ("cumulative_products", cumulative_products, lambda: [C([1.0, 2.0, 0.5, 3.0])], True),
    ("len_static_loop", len_static_loop, lambda: [C([1.0, 2.0, 3.0])], True),
    ("if_without_else", if_without_else, lambda: [C(3.0)], True),
    ("softplus_steps", softplus_steps, lambda: [C([0.5, -1.0])], True),
    ("map_with_converted_lambda", map_with_converted_lambda, lambda: [C([1.0, -2.0, 3.0])], True),
]


def as_numpy(value):
    """Nested results as NumPy values (Python numbers and bools as arrays too)."""
    if isinstance(value, (list, tuple)):
        return [as_numpy(v) for v in value]
    if hasattr(value, "numpy"):
        return value.numpy()
    return np.asarray(value)
