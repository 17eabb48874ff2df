package io.github.spectral4j.simd;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A dense row-major float32 matrix: element {@code (i, j)} is {@code data()[i * cols() + j]}. The
 * backing array is exposed on purpose — kernels and callers work on it directly — and is never copied
 * by accessors.
 */
public final class FloatMatrix {
  private final int rows;
  private final int cols;
  private final float[] data;

  private FloatMatrix(int rows, int cols, float[] data) {
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /**
   * A {@code rows × cols} matrix of zeros; both sizes ≥ 1. A size whose rows·cols floats do not fit one
   * Java array, or need more than the heap the JVM may grow to, is refused with IllegalArgumentException
   * naming the sizes and the limit, before anything is allocated.
   */
  public static FloatMatrix zeros(int rows, int cols) {
    checkShape(rows, cols);
    return new FloatMatrix(rows, cols, new float[Allocation.matrixLength("FloatMatrix", rows, cols)]);
  }

  /** A matrix holding a copy of {@code values} (row-major, length {@code rows·cols}). */
  public static FloatMatrix of(int rows, int cols, float... values) {
    checkShape(rows, cols);
    Objects.requireNonNull(values, "values");
    if (values.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          "a " + rows + "x" + cols + " matrix needs " + (long) rows * cols + " values, got " + values.length);
    }
    return new FloatMatrix(rows, cols, values.clone());
  }

  /** A matrix backed by {@code data} itself (row-major, length {@code rows·cols}); not copied. */
  public static FloatMatrix wrap(int rows, int cols, float[] data) {
    checkShape(rows, cols);
    Objects.requireNonNull(data, "data");
    if (data.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          "a " + rows + "x" + cols + " matrix needs " + (long) rows * cols + " values, got " + data.length);
    }
    return new FloatMatrix(rows, cols, data);
  }

  /** A matrix of independent {@code N(0, std²)} entries from a {@link SplittableRandom} seeded with {@code seed}. */
  public static FloatMatrix gaussian(int rows, int cols, double std, long seed) {
    FloatMatrix m = zeros(rows, cols);
    SplittableRandom random = new SplittableRandom(seed);
    float[] d = m.data;
    for (int i = 0; i < d.length; i += 2) {
      // Box–Muller: two independent normals per pair of uniforms.
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      double r = Math.sqrt(-2.0 * Math.log(u1)) * std;
      d[i] = (float) (r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < d.length) {
        d[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
      }
    }
    return m;
  }

  private static void checkShape(int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("matrix sizes must be >= 1, got " + rows + "x" + cols);
    }
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The backing row-major array; modifications are visible in the matrix. */
  public float[] data() {
    return data;
  }

  public float get(int i, int j) {
    return data[index(i, j)];
  }

  public void set(int i, int j, float value) {
    data[index(i, j)] = value;
  }

  private int index(int i, int j) {
    Objects.checkIndex(i, rows);
    Objects.checkIndex(j, cols);
    return i * cols + j;
  }

  /** A deep copy. */
  public FloatMatrix copy() {
    return new FloatMatrix(rows, cols, data.clone());
  }

  /** Copies {@code other}'s entries into this matrix; the shapes must match. This is modified. */
  public void copyFrom(FloatMatrix other) {
    if (other.rows != rows || other.cols != cols) {
      throw new IllegalArgumentException(
          "shape mismatch: copy " + other.rows + "x" + other.cols + " into " + rows + "x" + cols);
    }
    System.arraycopy(other.data, 0, data, 0, data.length);
  }

  /** Sets every entry to {@code value}. This is modified. */
  public void fill(float value) {
    Arrays.fill(data, value);
  }

  /** True if every entry is finite. */
  public boolean isFinite() {
    for (float v : data) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "FloatMatrix[" + rows + "x" + cols + "]";
  }
}
