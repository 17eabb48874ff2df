/**
 * Optimizers as objects over a model's {@link io.github.spectral4j.trainer.nn.Parameter}s: each reads a
 * parameter's gradient and rule, updates the value in place with learning rate
 * {@code η_l = η·learningRateMultiplier}, owns its state (momentum, Adam moments, spectral solvers)
 * and writes and reads that state as its own section of a checkpoint. {@link
 * io.github.spectral4j.trainer.optim.Sgd}, {@link io.github.spectral4j.trainer.optim.AdamW}, {@link
 * io.github.spectral4j.trainer.optim.Normalized} (updates of prescribed spectral norm) and the hybrid
 * {@link io.github.spectral4j.trainer.optim.Muon}.
 */
package io.github.spectral4j.trainer.optim;
