/**
 * Dense float32 linear algebra and spectral solvers on the Java Vector API, one entry point per job:
 *
 * <ul>
 *   <li>{@link io.github.spectral4j.simd.FloatMatrix} — a row-major float matrix and its factories;
 *   <li>{@link io.github.spectral4j.simd.Blas} — BLAS levels 1–3 (dot, axpy, nrm2, gemv, ger, gemm), with
 *       results identical for every thread count;
 *   <li>{@link io.github.spectral4j.simd.Fused} — operations that would take BLAS two or three passes over
 *       memory done in one (an update added with both norms; A·v and Aᵀ·(A·v); the same for A − B);
 *   <li>{@link io.github.spectral4j.simd.SpectralNorm} — σ₁ = ‖A‖* of a dense matrix, of low-rank factors or
 *       of a difference, warm-started across calls; it chooses between power iteration and Lanczos;
 *   <li>{@link io.github.spectral4j.simd.SpectralNorms} — one-off σ₁ and stable rank ‖A‖_F²/‖A‖*²;
 *   <li>{@link io.github.spectral4j.simd.Lanczos} — the top k singular triplets with residual bounds;
 *   <li>{@link io.github.spectral4j.simd.NewtonSchulz} — orthogonalisation towards U·Vᵀ (Muon's quintic or
 *       the convergent cubic);
 *   <li>{@link io.github.spectral4j.simd.PowerIteration} — the power iteration SpectralNorm uses, open for a
 *       caller that computes the first product itself.
 * </ul>
 *
 * <p>Every public method checks its arguments and throws IllegalArgumentException naming the offending
 * value; sizes are checked before anything is allocated.
 */
package io.github.spectral4j.simd;
