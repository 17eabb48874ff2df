/**
 * Where the rules meet the kernels: an MLP trained under any parametrization of {@code core} on the
 * kernels of {@code simd}, with per-layer spectral diagnostics and the experiments of the paper.
 */
package io.github.spectral4j.trainer;
