"""`tf.keras.datasets`: small data sets that load offline.

`digits` and `iris` ship inside the package; `mnist` and `fashion_mnist` read a local `.npz` file
in Keras's layout (nothing is downloaded at run time).

>>> import eagerflow as tf
>>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data()
>>> len(x_train) + len(x_test)
1797
"""
from . import digits, fashion_mnist, iris, mnist  # noqa: F401
