"""TF-shaped namespaces (`tf.math`, `tf.nn`, `tf.linalg`, ...): re-exports only."""
