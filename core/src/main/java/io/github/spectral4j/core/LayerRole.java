package io.github.spectral4j.core;

/**
 * The role a weight matrix plays in a network, which decides how its scale depends on width. In the
 * paper's terms an {@code INPUT} layer maps the fixed input dimension to the width, a {@code HIDDEN}
 * layer maps width to width, an {@code OUTPUT} layer maps width to the fixed number of outputs, and a
 * {@code BIAS} is a weight matrix with fan-in 1 acting on the constant input 1 (Section 3 of arXiv
 * 2310.17813).
 */
public enum LayerRole {
  INPUT,
  HIDDEN,
  OUTPUT,
  BIAS
}
