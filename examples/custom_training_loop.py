"""A custom training loop with GradientTape (TF 2.x Eager Execution chapter, section 3.3.2).

    python examples/custom_training_loop.py

One Dense(10) layer fitted to random targets with mean squared error and Adam, 100 steps, each
step a forward pass under a tape, `tape.gradient`, and `optimizer.apply_gradients`.

The chapter declares the layer with `input_shape=(None, 32)` and feeds it a (64, 32) batch: a rank
mismatch. Keras 3 (TF 2.21) raises for it; eagerflow does what Keras 2 did, as the chapter expects:
it logs one WARNING:eagerflow: line and runs. The program below is the chapter's, as written.
"""
import eagerflow as tf

tf.keras.utils.set_random_seed(0)  # not in the chapter: makes the printed losses repeatable

model = tf.keras.Sequential([
    tf.keras.layers.Dense(10, input_shape=(None, 32))
])

loss_fn = tf.keras.losses.MeanSquaredError()
optimizer = tf.keras.optimizers.Adam()

x = tf.random.normal((64, 32))
y = tf.random.normal((64, 10))

for step in range(100):
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        loss = loss_fn(y, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    if step % 10 == 0:
        print(f"Step {step}, Loss: {loss.numpy()}")
