"""Keras compile and fit on random data (TF 2.x Eager Execution chapter, sections 3.3.1 and 4.2).

    python examples/keras_fit.py [--epochs N]

`fit` runs each training step as a tf.function around a GradientTape; no graph or Session is
built by hand. The labels are random, so accuracy stays near chance: the point is the workflow.
"""
import argparse

import numpy as np

import eagerflow as tf


def main(epochs=5):
    tf.keras.utils.set_random_seed(0)  # not in the chapter: makes the run repeatable
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(64, activation='relu', input_shape=(32,)),
        tf.keras.layers.Dense(10)
    ])
    model.compile(optimizer='adam',
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])

    x_train = np.random.rand(100, 32)
    y_train = np.random.randint(0, 10, size=(100,))

    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32)
    losses = history.history["loss"]
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} after {len(losses)} epochs")
    return history


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    main(parser.parse_args().epochs)
