"""Automatic differentiation: GradientTape and custom gradients."""
