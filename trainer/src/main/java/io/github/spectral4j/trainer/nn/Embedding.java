package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import java.util.Objects;

/**
 * A lookup table: row {@code i} of the output is {@code m·E[id_i]}, the product of the table with a
 * one-hot input, for a table {@code E} of {@code vocabulary × width} entries drawn as its rule says
 * (its rule's layer has {@code fanIn = vocabulary}, {@code fanOut = width}; m its forward multiplier).
 * Backward scatters: {@code ∂E[v] = m·Σ_{i: id_i = v} ∂Y_i}. Used for tokens and for learned positions.
 */
public final class Embedding {
  private final String name;
  private final Parameter table;
  private final List<Parameter> parameters;
  private final float multiplier;
  private final int vocabulary;
  private final int width;
  private final Workspaces<Work> works;
  private Work last;

  private static final class Work {
    final FloatMatrix output;
    final int[] ids;

    Work(int rows, int width) {
      output = FloatMatrix.zeros(rows, width);
      ids = new int[rows];
    }
  }

  /**
   * A freshly initialised table, named as its rule's layer (e.g. {@code embedding.token.weight}).
   *
   * @param name e.g. {@code embedding.token}
   * @param rule its layer's fanIn is the vocabulary, fanOut the width
   * @param seed seeds the initialisation
   */
  public Embedding(String name, LayerRule rule, long seed) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rule, "rule");
    this.vocabulary = rule.layer().fanIn();
    this.width = rule.layer().fanOut();
    this.table = Parameter.embedding(rule.layer().name(), rule,
        Parameter.draw(rule, vocabulary, width, Seeds.derive(seed, 0)));
    this.multiplier = (float) rule.forwardMultiplier();
    this.parameters = List.of(table);
    this.works = new Workspaces<>(rows -> new Work(rows, width));
  }

  /** The table {@code E}, {@code vocabulary × width}. */
  public Parameter table() {
    return table;
  }

  /** The table as a one-element list. */
  public List<Parameter> parameters() {
    return parameters;
  }

  /** Number of rows of the table (ids are in {@code [0, vocabulary)}). */
  public int vocabulary() {
    return vocabulary;
  }

  /** Columns of the output. */
  public int width() {
    return width;
  }

  /**
   * Looks up every id.
   *
   * @param ids one id per output row, each in {@code [0, vocabulary)}; not modified (copied)
   * @return {@code ids.length × width}, a work buffer of this module
   * @throws IllegalArgumentException naming the first id out of range, or if {@code ids} is empty
   */
  public FloatMatrix forward(int[] ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.length == 0) {
      throw new IllegalArgumentException(name + ": no ids");
    }
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabulary) {
        throw new IllegalArgumentException(
            name + ": id " + ids[i] + " at position " + i + " is outside [0, " + vocabulary + ")");
      }
    }
    Work w = works.get(ids.length);
    System.arraycopy(ids, 0, w.ids, 0, ids.length);
    float[] e = table.value().data();
    float[] y = w.output.data();
    for (int i = 0; i < ids.length; i++) {
      int src = ids[i] * width;
      int dst = i * width;
      if (multiplier == 1f) {
        System.arraycopy(e, src, y, dst, width);
      } else {
        for (int j = 0; j < width; j++) {
          y[dst + j] = multiplier * e[src + j];
        }
      }
    }
    last = w;
    return w.output;
  }

  /**
   * Backward pass of the last {@link #forward}: overwrites the table's gradient.
   *
   * @param outputGradient {@code ∂loss/∂Y}, {@code ids.length × width}; not modified
   */
  public void backward(FloatMatrix outputGradient) {
    Checks.forwardDone(name, last);
    Checks.sameShape(name, outputGradient, last.output);
    float[] g = table.gradient().data();
    java.util.Arrays.fill(g, 0f);
    float[] dy = outputGradient.data();
    for (int i = 0; i < last.ids.length; i++) {
      Blas.axpy(width, multiplier, dy, i * width, g, last.ids[i] * width);
    }
  }

  @Override
  public String toString() {
    return "Embedding[" + name + " " + vocabulary + " x " + width + "]";
  }
}
