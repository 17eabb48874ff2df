package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The largest eigenvalue and its eigenvector's last component by pivots, against QL and by hand. */
class SymmetricTridiagonalTest {
  @Test
  void byHand() {
    double[] out = new double[2];
    // [[2, 1], [1, 2]]: eigenvalues 3 and 1, top eigenvector (1, 1)/√2.
    assertTrue(SymmetricTridiagonal.largest(2, new double[] {2, 2}, new double[] {1, 0}, new double[2], new double[2], out));
    assertEquals(3, out[0], 1e-15);
    assertEquals(Math.sqrt(0.5), out[1], 1e-15);
    // [[1, 2, 0], [2, 1, 2], [0, 2, 1]]: eigenvalues 1 and 1 ± 2√2, top eigenvector (1, √2, 1)/2.
    assertTrue(SymmetricTridiagonal.largest(3, new double[] {1, 1, 1}, new double[] {2, 2, 7}, new double[3], new double[3], out));
    assertEquals(1 + 2 * Math.sqrt(2), out[0], 1e-15);
    assertEquals(0.5, out[1], 1e-15);
    assertTrue(SymmetricTridiagonal.largest(1, new double[] {-4}, new double[] {9}, new double[1], new double[1], out));
    assertEquals(-4, out[0]);
    assertEquals(1, out[1]);
    // A reduced T (a zero off-diagonal) or a non-finite one is left to QL.
    assertFalse(SymmetricTridiagonal.largest(3, new double[] {1, 1, 1}, new double[] {2, 0, 0}, new double[3], new double[3], out));
    assertFalse(SymmetricTridiagonal.largest(2, new double[] {1, Double.NaN}, new double[] {1, 0}, new double[2], new double[2], out));
    assertFalse(SymmetricTridiagonal.largest(2, new double[] {1, 1}, new double[] {Double.POSITIVE_INFINITY, 0},
        new double[2], new double[2], out));
  }

  /**
   * Random unreduced T of sizes 2-256: uniform, graded (off-diagonals falling geometrically, so the top
   * eigenvector's last component is tiny, as for a converged Ritz value), nearly degenerate at the top (two
   * diagonal entries 1e-9 apart, weakly coupled) and at large and small scales; θ against QL's largest
   * eigenvalue, the component against QL's last row.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void matchesQl(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 2 + random.nextInt(255);
    int kind = (int) (seed % 4);
    double scale = Math.pow(10, random.nextInt(-30, 31));
    double[] d = new double[n];
    double[] e = new double[n];
    for (int k = 0; k < n; k++) {
      d[k] = scale * random.nextDouble(-1, 1);
      e[k] = k == n - 1 ? 0 : scale * switch (kind) {
        case 1 -> Math.pow(0.7, k) * random.nextDouble(0.5, 1);
        case 2 -> k == 0 ? 1e-6 : random.nextDouble(1e-3, 1);
        default -> random.nextDouble(1e-6, 1);
      };
    }
    if (kind == 2) {
      d[0] = 5 * scale;
      d[1] = 5 * scale * (1 + 1e-9);
    }
    double[] out = new double[2];
    assertTrue(SymmetricTridiagonal.largest(n, d, e, new double[n], new double[n], out), "n=" + n + " kind=" + kind);
    double[] values = d.clone();
    double[] off = e.clone();
    double[] lastRow = new double[n];
    lastRow[n - 1] = 1;
    SymmetricTridiagonal.diagonalize(n, values, off, lastRow, null);
    int[] top = new int[1];
    SymmetricTridiagonal.largestFirst(n, values, 1, top);
    double norm = Arrays.stream(values).map(Math::abs).max().orElseThrow();
    assertEquals(values[top[0]], out[0], 1e-13 * norm, "θ, n=" + n + " kind=" + kind);
    double expected = Math.abs(lastRow[top[0]]);
    assertEquals(expected, out[1], 1e-7 * expected + 1e-12, "last component, n=" + n + " kind=" + kind);
  }

  static LongStream seeds() {
    return LongStream.range(0, 400);
  }
}
