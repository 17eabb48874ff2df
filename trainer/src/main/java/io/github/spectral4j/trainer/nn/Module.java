package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;

/**
 * A differentiable map {@code Y = f(X; θ)} on a batch of row vectors ({@code rows × inputWidth()} to
 * {@code rows × outputWidth()}; a row is one token or one example) that owns its parameters θ. {@link
 * #forward} keeps what {@link #backward} needs; {@link #backward} applies the chain rule to the last
 * forward pass: it <em>overwrites</em> every parameter's gradient with {@code ∂loss/∂θ} and returns
 * {@code ∂loss/∂X} given {@code ∂loss/∂Y}. Outputs are work buffers of the module, allocated once per
 * number of rows and overwritten by the next pass with that number of rows, so steady-state training
 * allocates nothing. Modules are not thread-safe.
 */
public interface Module {
  /** The module's parameters, its children's included, in a fixed order; unmodifiable. */
  List<Parameter> parameters();

  /** Columns of the input. */
  int inputWidth();

  /** Columns of the output. */
  int outputWidth();

  /**
   * Forward pass.
   *
   * @param input {@code rows × inputWidth()}; not modified, and must stay unchanged until {@link #backward}
   * @return {@code rows × outputWidth()}, a work buffer of this module
   * @throws IllegalArgumentException if the input has the wrong number of columns (or rows, for modules
   *     that need whole sequences)
   */
  FloatMatrix forward(FloatMatrix input);

  /**
   * Backward pass of the last {@link #forward}: writes every parameter's gradient.
   *
   * <p>Row-wise modules ({@link Linear}, {@link Pointwise} and a {@link Sequential} of them) also take the
   * gradient of the output's first {@code r} rows only: the rows after them ride along in the forward pass
   * but are excluded from the loss (probe rows whose features diagnostics read), so they get no gradient and
   * cost no backward flops — the parameter gradients are those of the first r rows, bit for bit what a
   * forward and backward pass of those rows alone gives when {@code r} is at least
   * {@code Blas.rowIndependentFrom()} — and the returned {@code ∂loss/∂X} has r rows. Other modules
   * refuse such a gradient.
   *
   * @param outputGradient {@code ∂loss/∂Y}, the shape of the last output (or of its first rows, above); not
   *     modified
   * @return {@code ∂loss/∂X}, a work buffer of this module, with the gradient's rows
   * @throws IllegalStateException if there was no forward pass
   * @throws IllegalArgumentException if the gradient's shape does not fit the last output
   */
  FloatMatrix backward(FloatMatrix outputGradient);

  /**
   * {@link #backward(FloatMatrix)} with an optimizer's {@link FusedStep}: the parameters it covers are updated
   * here ({@code W ← W + α·G}, their gradients not written), the others get their gradients. Every other
   * module's input gradient is what {@link #backward(FloatMatrix)} returns, computed from the parameters'
   * values before this pass's updates. This default applies nothing itself and writes every gradient.
   *
   * @param outputGradient as for {@link #backward(FloatMatrix)}; not modified
   * @param step the offer, or null for none; called for each parameter this module can update in place
   * @return {@code ∂loss/∂X}, as {@link #backward(FloatMatrix)}
   */
  default FloatMatrix backward(FloatMatrix outputGradient, FusedStep step) {
    return backward(outputGradient);
  }
}
