/**
 * Composable modules of a network and the parameters they own. A {@link
 * io.github.spectral4j.trainer.nn.Parameter} carries its {@code core} rule, value and gradient; a module
 * owns its parameters and computes forward and backward passes on {@code simd}'s kernels with buffers
 * allocated once per batch shape.
 */
package io.github.spectral4j.trainer.nn;
