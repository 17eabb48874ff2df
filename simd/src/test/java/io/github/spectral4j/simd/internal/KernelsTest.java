package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.assertClose;
import static io.github.spectral4j.simd.internal.Reference.random;
import static io.github.spectral4j.simd.internal.Reference.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both kernel implementations against naive double-precision oracles on awkward sizes (1, 2, 3, 7, 13,
 * 31, 127, 207, 1000 and random), every transpose combination and several α, β. The Panama cases skip
 * when {@code jdk.incubator.vector} is absent.
 */
class KernelsTest {
  static final String[] IMPLS = {"scalar", "panama"};
  static final int[] SIZES = {1, 2, 3, 7, 13, 31, 127, 207};
  static final int[] VECTOR_SIZES = {0, 1, 2, 3, 7, 13, 31, 127, 207, 1000, 4098};
  static final float[][] ALPHA_BETA = {{1f, 0f}, {-0.5f, 1f}, {2f, -1.5f}, {0.75f, 0.25f}};
  static final boolean[] FLAGS = {false, true};

  // ---- hand-computed case first ----

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void gemmOfTwoByThreeAndThreeByTwoIsExact(String impl) {
    Kernels kernels = Reference.kernels(impl);
    float[] a = {1, 2, 3, 4, 5, 6}; // 2x3
    float[] b = {7, 8, 9, 10, 11, 12}; // 3x2
    // [1 2 3; 4 5 6]·[7 8; 9 10; 11 12] = [58 64; 139 154], all exact in float
    float[] expected = {58, 64, 139, 154};
    for (boolean ta : FLAGS) {
      for (boolean tb : FLAGS) {
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN}; // β = 0 ignores NaN
        kernels.gemm(ta, tb, 2, 2, 3, 1f, store(a, 2, 3, ta), ta ? 2 : 3, store(b, 3, 2, tb), tb ? 3 : 2, 0f, c, 2, 1);
        assertArrayEquals(expected, c, impl + " transA=" + ta + " transB=" + tb);
        float[] c2 = {1, 1, 1, 1};
        kernels.gemm(ta, tb, 2, 2, 3, 2f, store(a, 2, 3, ta), ta ? 2 : 3, store(b, 3, 2, tb), tb ? 3 : 2, -1f, c2, 2, 1);
        assertArrayEquals(new float[] {115, 127, 277, 307}, c2, impl + " α=2 β=-1 transA=" + ta + " transB=" + tb);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void levelOneAndTwoHandComputed(String impl) {
    Kernels kernels = Reference.kernels(impl);
    float[] x = {1, 2, 3};
    float[] y = {4, -5, 6};
    assertEquals(12f, kernels.dot(3, x, 0, y, 0)); // 4 − 10 + 18
    assertEquals(Math.sqrt(77), Math.sqrt(kernels.sumOfSquares(3, y, 0)), 0);
    float[] z = y.clone();
    kernels.axpy(3, 2f, x, 0, z, 0);
    assertArrayEquals(new float[] {6, -1, 12}, z);
    kernels.scal(2, -1f, z, 1);
    assertArrayEquals(new float[] {6, 1, -12}, z);
    float[] a = {1, 2, 3, 4, 5, 6}; // 2x3
    float[] out = {Float.NaN, Float.NaN};
    kernels.gemv(false, 2, 3, 1f, a, 3, x, 0f, out);
    assertArrayEquals(new float[] {14, 32}, out);
    float[] outT = {1, 1, 1};
    kernels.gemv(true, 2, 3, 1f, a, 3, new float[] {1, -1}, 2f, outT);
    assertArrayEquals(new float[] {-1, -1, -1}, outT);
    float[] g = a.clone();
    kernels.ger(2, 3, 1f, new float[] {1, 2}, new float[] {1, 0, -1}, g, 3);
    assertArrayEquals(new float[] {2, 2, 2, 6, 5, 4}, g);
    float[] av = new float[2];
    float[] ata = new float[3];
    kernels.gramTimes(2, 3, a, 3, x, av, ata);
    assertArrayEquals(new float[] {14, 32}, av);
    // Aᵀ·(14, 32) = (14 + 128, 28 + 160, 42 + 192)
    assertArrayEquals(new float[] {142, 188, 234}, ata);
  }

  /**
   * Σ x² of a double array on every size of VECTOR_SIZES: x_i = i + 1 − n/2 (integers, so every partial sum is exact
   * in double and any summation order gives Σ (i + 1 − n/2)², computed by hand as a cubic), so a dropped tail or a
   * lost accumulator fails.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void sumOfSquaresOfDoublesIsExactOnIntegers(String impl) {
    Kernels kernels = Reference.kernels(impl);
    for (int n : VECTOR_SIZES) {
      double[] x = new double[n + 3];
      double expected = 0;
      for (int i = 0; i < n; i++) {
        x[i] = i + 1 - n / 2;
      }
      // Σ_{k = 1 − h}^{n − h} k² with h = n/2 (integer division): Σ_{k=1}^{n−h} k² + Σ_{k=1}^{h−1} k².
      long top = n - n / 2;
      long bottom = n / 2 - 1;
      expected = top * (top + 1) * (2 * top + 1) / 6 + (bottom > 0 ? bottom * (bottom + 1) * (2 * bottom + 1) / 6 : 0);
      x[n] = 1e300; // beyond n: must not be read
      assertEquals(expected, kernels.sumOfSquares(n, x), 0, impl + " n=" + n);
    }
  }

  // ---- GEMM against the double oracle ----

  static Stream<Arguments> gemmCases() {
    List<int[]> shapes = new ArrayList<>();
    for (int s : SIZES) {
      shapes.add(new int[] {s, s, s});
    }
    int[][] mixed = {
      {1, 207, 13}, {207, 1, 31}, {7, 127, 3}, {13, 31, 207}, {127, 7, 1}, {2, 3, 127}, {31, 13, 2},
      {3, 1, 1}, {1, 1, 207}, {6, 32, 256}, {12, 64, 257}, {207, 127, 513}, {5, 3100, 40},
      // Panama tiles: 6 × 16/32/64 (AVX2 / AVX-512 narrow / wide), k slices of at most 512 or 1024
      {6, 64, 1024}, {13, 129, 1025}, {49, 70, 2100}
    };
    shapes.addAll(Arrays.asList(mixed));
    SplittableRandom shapeRandom = new SplittableRandom(20231017);
    for (int i = 0; i < 16; i++) {
      shapes.add(new int[] {1 + shapeRandom.nextInt(300), 1 + shapeRandom.nextInt(300), 1 + shapeRandom.nextInt(600)});
    }
    List<Arguments> cases = new ArrayList<>();
    long seed = 1;
    for (String impl : IMPLS) {
      int variant = 0;
      for (int[] s : shapes) {
        for (boolean ta : FLAGS) {
          for (boolean tb : FLAGS) {
            float[] ab = ALPHA_BETA[variant++ % ALPHA_BETA.length];
            cases.add(Arguments.of(impl, ta ? "T" : "N", tb ? "T" : "N", s[0], s[1], s[2], ab[0], ab[1], seed++));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}{2} m={3} n={4} k={5} alpha={6} beta={7} seed={8}")
  @MethodSource("gemmCases")
  void gemmMatchesDoubleReference(String impl, String opA, String opB, int m, int n, int k, float alpha, float beta, long seed) {
    checkGemm(Reference.kernels(impl), opA.equals("T"), opB.equals("T"), m, n, k, alpha, beta, seed, 1);
  }

  @ParameterizedTest(name = "{0} {1} n=1000 seed=7")
  @MethodSource("largeCases")
  void gemmAtSizeThousand(String impl, String ops) {
    checkGemm(Reference.kernels(impl), ops.charAt(0) == 'T', ops.charAt(1) == 'T', 1000, 1000, 1000, 1.5f, 0.5f, 7, 2);
  }

  /** Double references of the large cases, which every transpose combination shares: computed once each. */
  private static final java.util.Map<String, double[][]> LARGE_REFERENCES = new java.util.HashMap<>();

  private static synchronized double[][] reference(
      int m, int n, int k, float alpha, float[] opA, float[] opB, float beta, float[] c0, long seed) {
    if ((long) m * n * k < 100_000_000L) {
      return Reference.gemm(m, n, k, alpha, opA, opB, beta, c0);
    }
    String key = m + "x" + n + "x" + k + " alpha=" + alpha + " beta=" + beta + " seed=" + seed;
    return LARGE_REFERENCES.computeIfAbsent(key, x -> Reference.gemm(m, n, k, alpha, opA, opB, beta, c0));
  }

  static Stream<Arguments> largeCases() {
    // The scalar kernels are slow at this size: two combinations for them, all four for Panama.
    return Stream.of(
        Arguments.of("panama", "NN"), Arguments.of("panama", "NT"), Arguments.of("panama", "TN"),
        Arguments.of("panama", "TT"), Arguments.of("scalar", "NN"), Arguments.of("scalar", "TN"));
  }

  private static void checkGemm(
      Kernels kernels, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, long seed, int threads) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] opA = random(random, m * k);
    float[] opB = random(random, k * n);
    float[] c0 = random(random, m * n);
    float[] c = beta == 0 ? filled(m * n, Float.NaN) : c0.clone();
    kernels.gemm(ta, tb, m, n, k, alpha, store(opA, m, k, ta), ta ? m : k, store(opB, k, n, tb), tb ? k : n, beta, c, n, threads);
    double[][] ref = reference(m, n, k, alpha, opA, opB, beta, c0, seed);
    for (int i = 0; i < m * n; i++) {
      int row = i / n;
      int col = i % n;
      assertClose(ref[0][i], c[i], ref[1][i], k, kernels.name() + " C(" + row + "," + col + ")");
    }
  }

  private static float[] filled(int length, float value) {
    float[] x = new float[length];
    Arrays.fill(x, value);
    return x;
  }

  @ParameterizedTest(name = "{0} seed={1}")
  @MethodSource("implAndSeeds")
  void panamaAndScalarGemmAgreeOnRandomShapes(String what, long seed) {
    Kernels panama = Reference.kernels("panama");
    Kernels scalar = Reference.kernels("scalar");
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(70);
    int n = 1 + random.nextInt(70);
    int k = 1 + random.nextInt(70);
    boolean ta = random.nextBoolean();
    boolean tb = random.nextBoolean();
    float[] opA = random(random, m * k);
    float[] opB = random(random, k * n);
    float[] c0 = random(random, m * n);
    float alpha = (float) random.nextDouble(-2, 2);
    float beta = random.nextInt(3) == 0 ? 0f : (float) random.nextDouble(-2, 2);
    float[] a = store(opA, m, k, ta);
    float[] b = store(opB, k, n, tb);
    float[] c1 = c0.clone();
    float[] c2 = c0.clone();
    panama.gemm(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta, c1, n, 1);
    scalar.gemm(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta, c2, n, 1);
    // Each is within tolerance(k)·scale of the exact value, so they are within twice that of each other.
    double[] scale = Reference.gemm(m, n, k, alpha, opA, opB, beta, c0)[1];
    for (int i = 0; i < m * n; i++) {
      assertClose(c2[i], c1[i], 2 * scale[i], k,
          "panama vs scalar C(" + i / n + "," + i % n + ") m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb);
    }
  }

  /**
   * The unpacked paths of Panama's A·Bᵀ (dot products below {@link PanamaConstants#SMALL_M} rows, the
   * transposed product up to {@link PanamaThinGemm#MAX_M}) on every m in 1 … MAX_M + 2 with odd n and k
   * (vector tails, leftover rows and columns of the blocks, the packed path just beyond),
   * against the double oracle and against the scalar kernels; C is written only inside its rows' ldc.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("smallNtSeeds")
  void smallRowCountNtMatchesReferenceAndScalar(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + (int) (seed % THIN_ROWS_AND_MORE);
    int n = 1 + random.nextInt(90);
    int k = random.nextInt(4) == 0 ? 1 + random.nextInt(20) : 1 + random.nextInt(300);
    int ldc = n + random.nextInt(3);
    float alpha = (float) random.nextDouble(-2, 2);
    float beta = random.nextInt(3) == 0 ? 0f : (float) random.nextDouble(-2, 2);
    float[] opA = random(random, m * k);
    float[] opB = random(random, k * n);
    float[] c0 = random(random, m * ldc);
    float[] b = store(opB, k, n, true);
    float[] cPanama = c0.clone();
    float[] cScalar = c0.clone();
    if (beta == 0) {
      for (int i = 0; i < m; i++) {
        Arrays.fill(cPanama, i * ldc, i * ldc + n, Float.NaN);
      }
    }
    Reference.kernels("panama").gemm(false, true, m, n, k, alpha, opA, k, b, k, beta, cPanama, ldc, 1);
    Reference.kernels("scalar").gemm(false, true, m, n, k, alpha, opA, k, b, k, beta, cScalar, ldc, 1);
    float[] packed = new float[m * n];
    for (int i = 0; i < m; i++) {
      System.arraycopy(c0, i * ldc, packed, i * n, n);
    }
    double[][] ref = Reference.gemm(m, n, k, alpha, opA, opB, beta, packed);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < ldc; j++) {
        int o = i * ldc + j;
        String what = "m=" + m + " n=" + n + " k=" + k + " ldc=" + ldc + " C(" + i + "," + j + ")";
        if (j >= n) {
          assertEquals(c0[o], cPanama[o], what + " beyond n was modified");
          continue;
        }
        assertClose(ref[0][i * n + j], cPanama[o], ref[1][i * n + j], k, "panama " + what);
        assertClose(cScalar[o], cPanama[o], 2 * ref[1][i * n + j], k, "panama vs scalar " + what);
      }
    }
  }

  /**
   * m up to {@link PanamaThinGemm#MAX_M} + 2 with 512-bit vectors (a literal: reading MAX_M would load the
   * Vector API classes in the run without them).
   */
  private static final int THIN_ROWS_AND_MORE = 34;

  static Stream<Long> smallNtSeeds() {
    return java.util.stream.LongStream.rangeClosed(1, 260).boxed();
  }

  /** The unpacked small-m paths give every element the same operations whatever block or thread computes it: a wide product equals its column slices. */
  @ParameterizedTest(name = "m={0}")
  @ValueSource(ints = {2, 3, 4, 5, 7, 8, 12, 13, 16, 17, 23, 24, 31, 32})
  void smallRowCountNtDoesNotDependOnBlocking(int m) {
    Kernels panama = Reference.kernels("panama");
    SplittableRandom random = new SplittableRandom(4242 + m);
    int n = 1031;
    int k = 517;
    float[] a = random(random, m * k);
    float[] b = random(random, n * k);
    float[] whole = new float[m * n];
    panama.gemm(false, true, m, n, k, 1f, a, k, b, k, 0f, whole, n, 3);
    // Columns one at a time (C with row stride 2, so that it is no matrix-vector product): every
    // column lands in the 1 × 1 path.
    for (int j : new int[] {0, 1, 5, 514, 1027, 1030}) {
      float[] col = new float[2 * m];
      panama.gemm(false, true, m, 1, k, 1f, a, k, Arrays.copyOfRange(b, j * k, (j + 1) * k), k, 0f, col, 2, 1);
      for (int i = 0; i < m; i++) {
        assertEquals(Float.floatToIntBits(whole[i * n + j]), Float.floatToIntBits(col[2 * i]), "C(" + i + "," + j + ")");
      }
    }
  }

  static Stream<Arguments> implAndSeeds() {
    return java.util.stream.LongStream.rangeClosed(1, 200).mapToObj(s -> Arguments.of("panama-vs-scalar", s));
  }

  // ---- level 1 ----

  static Stream<Arguments> vectorCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 100;
    for (String impl : IMPLS) {
      for (int n : VECTOR_SIZES) {
        cases.add(Arguments.of(impl, n, seed++));
      }
      SplittableRandom random = new SplittableRandom(42);
      for (int i = 0; i < 20; i++) {
        cases.add(Arguments.of(impl, random.nextInt(3000), seed++));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} n={1} seed={2}")
  @MethodSource("vectorCases")
  void levelOneMatchesDoubleReference(String impl, int n, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    int xOff = random.nextInt(4);
    int yOff = random.nextInt(4);
    float[] x = random(random, n + xOff + random.nextInt(3));
    float[] y = random(random, n + yOff + random.nextInt(3));
    float alpha = (float) random.nextDouble(-3, 3);

    double exact = 0;
    double scale = 0;
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double p = (double) x[xOff + i] * y[yOff + i];
      exact += p;
      scale += Math.abs(p);
      squares += (double) x[xOff + i] * x[xOff + i];
    }
    assertClose(exact, kernels.dot(n, x, xOff, y, yOff), scale, n, "dot");

    double nrm = Math.sqrt(kernels.sumOfSquares(n, x, xOff));
    // Accumulated in double: agreement to 1e-12 relative, far below float's 1e-7.
    assertEquals(Math.sqrt(squares), nrm, 1e-12 * Math.sqrt(squares) + Double.MIN_NORMAL, "nrm2");

    // The mixed-precision pair of reorthogonalisation: float x against a double vector.
    double[] w = new double[n];
    double mixed = 0;
    double mixedScale = 0;
    for (int i = 0; i < n; i++) {
      w[i] = random.nextDouble(-2, 2);
      mixed += (double) x[i] * w[i];
      mixedScale += Math.abs((double) x[i] * w[i]);
    }
    assertEquals(mixed, kernels.dot(n, x, w), 1e-14 * mixedScale + Double.MIN_NORMAL, "dot(float, double)");
    double c = random.nextDouble(-3, 3);
    double[] expectedW = w.clone();
    for (int i = 0; i < n; i++) {
      expectedW[i] -= c * x[i];
    }
    kernels.subtract(n, c, x, w);
    for (int i = 0; i < n; i++) {
      assertEquals(expectedW[i], w[i], 1e-15 * (Math.abs(expectedW[i]) + Math.abs(c * x[i])), "subtract[" + i + "]");
    }

    float[] z = y.clone();
    kernels.axpy(n, alpha, x, xOff, z, yOff);
    for (int i = 0; i < z.length; i++) {
      if (i >= yOff && i < yOff + n) {
        double e = (double) alpha * x[xOff + i - yOff] + y[i];
        assertClose(e, z[i], Math.abs((double) alpha * x[xOff + i - yOff]) + Math.abs(y[i]), 0, "axpy " + i);
      } else {
        assertEquals(y[i], z[i], "axpy must not touch element " + i);
      }
    }

    float[] s = x.clone();
    kernels.scal(n, alpha, s, xOff);
    for (int i = 0; i < s.length; i++) {
      if (i >= xOff && i < xOff + n) {
        assertEquals(alpha * x[i], s[i], "scal " + i);
      } else {
        assertEquals(x[i], s[i], "scal must not touch element " + i);
      }
    }
  }

  /** y += x and both sums of squares in one pass: y exactly as axpy with α = 1, the sums to 1e-12. */
  @ParameterizedTest(name = "{0} n={1} seed={2}")
  @MethodSource("vectorCases")
  void addWithSquaresIsAxpyAndTwoNorms(String impl, int n, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = random(random, n);
    float[] y = random(random, n);
    float[] expected = y.clone();
    kernels.axpy(n, 1f, x, 0, expected, 0);
    double xSquares = 0;
    double ySquares = 0;
    for (int i = 0; i < n; i++) {
      xSquares += (double) x[i] * x[i];
      ySquares += (double) expected[i] * expected[i];
    }
    double[] sums = {Double.NaN, Double.NaN};
    kernels.addWithSquares(n, x, y, sums);
    assertArrayEquals(expected, y, "y + x");
    assertEquals(xSquares, sums[0], 1e-12 * xSquares, "Σx²");
    assertEquals(ySquares, sums[1], 1e-12 * ySquares, "Σy²");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void nrm2HasNoOverflowOrUnderflow(String impl) {
    Kernels kernels = Reference.kernels(impl);
    float[] big = new float[100];
    Arrays.fill(big, 3e38f);
    assertEquals(10.0 * 3e38f, Math.sqrt(kernels.sumOfSquares(100, big, 0)), 3e39 * 1e-12);
    float[] tiny = new float[100];
    Arrays.fill(tiny, 1e-30f);
    assertEquals(10.0 * 1e-30f, Math.sqrt(kernels.sumOfSquares(100, tiny, 0)), 1e-29 * 1e-12);
  }

  // ---- level 2 and the fused Gram product ----

  static Stream<Arguments> matrixCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 1000;
    for (String impl : IMPLS) {
      int variant = 0;
      for (int m : SIZES) {
        for (int n : new int[] {1, 3, 13, 127, 207}) {
          float[] ab = ALPHA_BETA[variant++ % ALPHA_BETA.length];
          cases.add(Arguments.of(impl, m, n, ab[0], ab[1], seed++));
        }
      }
      cases.add(Arguments.of(impl, 1000, 1000, 1f, 0f, seed++));
      cases.add(Arguments.of(impl, 37, 1000, -2f, 1f, seed++));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} alpha={3} beta={4} seed={5}")
  @MethodSource("matrixCases")
  void gemvGerAndGramTimesMatchDoubleReference(String impl, int m, int n, float alpha, float beta, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = random(random, m * n);
    float[] xn = random(random, n);
    float[] xm = random(random, m);
    float[] ym = random(random, m);
    float[] yn = random(random, n);

    // gemv N: y = α·A·x + β·y; β = 0 must ignore NaN.
    float[] y = beta == 0 ? filled(m, Float.NaN) : ym.clone();
    kernels.gemv(false, m, n, alpha, a, n, xn, beta, y);
    for (int i = 0; i < m; i++) {
      double e = 0;
      double s = 0;
      for (int j = 0; j < n; j++) {
        e += (double) a[i * n + j] * xn[j];
        s += Math.abs((double) a[i * n + j] * xn[j]);
      }
      double cb = beta == 0 ? 0 : (double) beta * ym[i];
      assertClose(alpha * e + cb, y[i], Math.abs(alpha) * s + Math.abs(cb), n, "gemv N y[" + i + "]");
    }

    // gemv T: y = α·Aᵀ·x + β·y.
    float[] yt = beta == 0 ? filled(n, Float.NaN) : yn.clone();
    kernels.gemv(true, m, n, alpha, a, n, xm, beta, yt);
    for (int j = 0; j < n; j++) {
      double e = 0;
      double s = 0;
      for (int i = 0; i < m; i++) {
        e += (double) a[i * n + j] * xm[i];
        s += Math.abs((double) a[i * n + j] * xm[i]);
      }
      double cb = beta == 0 ? 0 : (double) beta * yn[j];
      assertClose(alpha * e + cb, yt[j], Math.abs(alpha) * s + Math.abs(cb), m, "gemv T y[" + j + "]");
    }

    // ger: A + α·x·yᵀ — α·x[i] is rounded, then one fused multiply-add.
    float[] g = a.clone();
    kernels.ger(m, n, alpha, xm, yn, g, n);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double e = (double) alpha * xm[i] * yn[j] + a[i * n + j];
        double s = Math.abs((double) alpha * xm[i] * yn[j]) + Math.abs(a[i * n + j]);
        assertClose(e, g[i * n + j], s, 1, "ger A(" + i + "," + j + ")");
      }
    }

    // gramTimes: av = A·v, out = Aᵀ·av; the error of av propagates into out, hence k = n + m.
    float[] av = filled(m, Float.NaN);
    float[] out = filled(n, Float.NaN);
    kernels.gramTimes(m, n, a, n, xn, av, out);
    assertGram(m, n, a, xn, av, out, "gramTimes");

    // differenceGramTimes: D = A − B (one rounding per element), the Gram products of A and of D, and
    // Σ D²; without A's part, D's results are the same bits.
    float[] b = random(new SplittableRandom(seed + 1), m * n);
    float[] yd = random(new SplittableRandom(seed + 2), n);
    float[] d = new float[m * n];
    double exactSquares = 0;
    for (int i = 0; i < m * n; i++) {
      d[i] = a[i] - b[i];
      exactSquares += (double) d[i] * d[i];
    }
    float[] ax = filled(m, Float.NaN);
    float[] aOut = filled(n, Float.NaN);
    float[] dy = filled(m, Float.NaN);
    float[] dOut = filled(n, Float.NaN);
    double squares = kernels.differenceGramTimes(m, n, a, b, n, xn, ax, aOut, yd, dy, dOut);
    assertGram(m, n, a, xn, ax, aOut, "differenceGramTimes A");
    assertGram(m, n, d, yd, dy, dOut, "differenceGramTimes D");
    assertClose(exactSquares, (float) squares, exactSquares, n, "differenceGramTimes Σ D²");
    float[] dyOnly = filled(m, Float.NaN);
    float[] dOutOnly = filled(n, Float.NaN);
    double squaresOnly = kernels.differenceGramTimes(m, n, a, b, n, null, null, null, yd, dyOnly, dOutOnly);
    if (m < PanamaOptimizerPass.SPLIT_ROWS || kernels instanceof ScalarKernels) {
      // One sweep over the rows either way: the same bits.
      assertEquals(squares, squaresOnly);
      assertArrayEquals(dy, dyOnly, "differenceGramTimes D·y without A");
      assertArrayEquals(dOut, dOutOnly, "differenceGramTimes Dᵀ·D·y without A");
    } else {
      // With A's products the Panama pass runs the rows in two fixed halves (PanamaOptimizerPass), whose
      // Dᵀ·D·y and Σ D² add the halves' sums; D·y is row by row, the same bits.
      assertArrayEquals(dy, dyOnly, "differenceGramTimes D·y without A");
      assertGram(m, n, d, yd, dyOnly, dOutOnly, "differenceGramTimes D without A");
      assertClose(exactSquares, (float) squaresOnly, exactSquares, n, "differenceGramTimes Σ D² without A");
    }
  }

  /** av = A·v and out = Aᵀ·av against the double oracle (av's error propagates into out: k = n + m). */
  private static void assertGram(int m, int n, float[] a, float[] v, float[] av, float[] out, String what) {
    double[] exactAv = new double[m];
    double[] absAv = new double[m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        exactAv[i] += (double) a[i * n + j] * v[j];
        absAv[i] += Math.abs((double) a[i * n + j] * v[j]);
      }
      assertClose(exactAv[i], av[i], absAv[i], n, what + " av[" + i + "]");
    }
    for (int j = 0; j < n; j++) {
      double e = 0;
      double s = 0;
      for (int i = 0; i < m; i++) {
        e += exactAv[i] * a[i * n + j];
        s += absAv[i] * Math.abs(a[i * n + j]);
      }
      assertClose(e, out[j], s, n + m, what + " out[" + j + "]");
    }
  }
}
