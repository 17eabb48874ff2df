package io.github.spectral4j.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.ThreadAllocation;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import io.github.spectral4j.trainer.Checkpoint.Corrupt;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OptimizersTest {
  private static final double F32 = 1e-6;

  private static Parameter matrix(String name, int fanIn, int fanOut, LayerRole role, Optimizer kind, long seed) {
    return Parameter.gaussian(
        name, Parametrization.SPECTRAL.rule(new Layer(name, fanIn, fanOut, role), kind), fanOut, fanIn, seed);
  }

  private static Parameter bias(String name, int n, Optimizer kind, float value) {
    return Parameter.constant(name, Parametrization.STANDARD.rule(new Layer(name, 1, n, LayerRole.BIAS), kind), 1, n, value);
  }

  /** A small model: input, hidden and output matrices of awkward shapes and two vector-like parameters. */
  private static List<Parameter> model(Optimizer kind, long seed) {
    List<Parameter> ps = new ArrayList<>();
    ps.add(matrix("in", 7, 13, LayerRole.INPUT, kind, seed));
    ps.add(bias("in.bias", 13, kind, 0f));
    ps.add(matrix("hidden", 13, 13, LayerRole.HIDDEN, kind, seed + 1));
    ps.add(bias("gain", 13, kind, 1f));
    ps.add(matrix("out", 13, 3, LayerRole.OUTPUT, kind, seed + 2));
    return ps;
  }

  private static void randomGradients(List<Parameter> ps, SplittableRandom random) {
    for (Parameter p : ps) {
      float[] g = p.gradient().data();
      for (int k = 0; k < g.length; k++) {
        g[k] = (float) random.nextGaussian();
      }
    }
  }

  /** Largest singular value in double: the top eigenvalue of AᵀA by cyclic Jacobi rotations. */
  static double spectralNorm(FloatMatrix a) {
    int m = a.rows();
    int n = a.cols();
    double[][] g = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int r = 0; r < m; r++) {
          g[i][j] += (double) a.get(r, i) * a.get(r, j);
        }
      }
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += g[p][q] * g[p][q];
          if (g[p][q] == 0) {
            continue;
          }
          double theta = (g[q][q] - g[p][p]) / (2 * g[p][q]);
          double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double gkp = g[k][p];
            double gkq = g[k][q];
            g[k][p] = c * gkp - s * gkq;
            g[k][q] = s * gkp + c * gkq;
          }
          for (int k = 0; k < n; k++) {
            double gpk = g[p][k];
            double gqk = g[q][k];
            g[p][k] = c * gpk - s * gqk;
            g[q][k] = s * gpk + c * gqk;
          }
        }
      }
      if (off < 1e-30) {
        break;
      }
    }
    double max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, g[i][i]);
    }
    return Math.sqrt(max);
  }

  @Test
  void jacobiOracleOnAHandComputedMatrix() {
    // [[3, 0], [4, 5]]: AᵀA = [[25, 20], [20, 25]], eigenvalues 45 and 5.
    assertEquals(Math.sqrt(45), spectralNorm(FloatMatrix.of(2, 2, 3, 0, 4, 5)), 1e-12);
  }

  @Test
  void sgdHandComputedTwoSteps() {
    Parameter p = bias("b", 2, Optimizer.SGD, 0f); // STANDARD: learning-rate multiplier 1
    p.value().data()[0] = 1;
    p.value().data()[1] = -2;
    p.gradient().data()[0] = 0.5f;
    p.gradient().data()[1] = 0.25f;
    Sgd sgd = new Sgd(List.of(p), 0.1, 0.9, 0.01);
    sgd.step(); // B = G + λW = (0.51, 0.23)
    assertArrayEquals(new float[] {-0.051f, -0.023f}, sgd.lastUpdate(p).data(), 1e-7f);
    sgd.step(); // B = 0.9·(0.51, 0.23) + G + λ·(0.949, −2.023)
    assertArrayEquals(new float[] {-0.096849f, -0.043677f}, sgd.lastUpdate(p).data(), 1e-7f);
    assertArrayEquals(new float[] {0.852151f, -2.066677f}, p.value().data(), 1e-6f);
    assertEquals(2, sgd.stepCount());
  }

  /** The first AdamW step is {@code −η_l·(G/(|G| + ε) + λW)}, about {@code −η_l·sign(G)}, whatever G's scale. */
  @Test
  void adamFirstStepIsSignLike() {
    List<Parameter> ps = model(Optimizer.ADAM, 3);
    SplittableRandom random = new SplittableRandom(3);
    List<float[]> before = new ArrayList<>();
    for (Parameter p : ps) {
      float[] g = p.gradient().data();
      for (int k = 0; k < g.length; k++) {
        g[k] = (float) (random.nextGaussian() * 1e-3);
      }
      before.add(p.value().data().clone());
    }
    AdamW adam = new AdamW(ps, 0.01, 0.1);
    adam.step();
    for (int i = 0; i < ps.size(); i++) {
      Parameter p = ps.get(i);
      double lr = 0.01 * p.rule().learningRateMultiplier();
      float[] g = p.gradient().data();
      float[] d = adam.lastUpdate(p).data();
      for (int k = 0; k < g.length; k++) {
        double expected = -lr * (g[k] / (Math.abs(g[k]) + 1e-8) + 0.1 * before.get(i)[k]);
        assertEquals(expected, d[k], 1e-5 * lr, p.name() + "[" + k + "]");
      }
    }
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 40).mapToObj(s -> 0x0A7E_0000L + s);
  }

  /** EXACT: ‖ΔW‖* = η_l to 1e-4 (no decay), and a vector's update has 2-norm η_l; checked in double. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void exactNormalizedUpdatesHaveTheTargetSpectralNorm(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Parameter> ps = model(Optimizer.NORMALIZED, seed);
    double eta = 0.05;
    Normalized opt = new Normalized(ps, eta, UpdateMode.EXACT, random.nextBoolean() ? 0 : 0.8, 0);
    for (int step = 0; step < 3; step++) {
      randomGradients(ps, random);
      opt.step();
      for (Parameter p : ps) {
        double target = eta * p.rule().learningRateMultiplier();
        assertEquals(target, spectralNorm(opt.lastUpdate(p)), 1e-4 * target, p.name() + " step " + step);
      }
    }
  }

  /** Muon: matrices get ‖ΔW‖* ≈ η_M·√(fo/fi) (Newton–Schulz lands in [0.7, 1.2]); vectors get AdamW's steps. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void muonOrthogonalisesMatricesAndAdamsTheRest(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Parameter> ps = model(Optimizer.ADAM, seed);
    List<Parameter> twins = model(Optimizer.ADAM, seed);
    Muon muon = new Muon(ps, 0.02, 0.003, 0.9, 0);
    AdamW adam = new AdamW(twins.stream().filter(p -> !Muon.orthogonalised(p)).toList(), 0.003, 0);
    for (int step = 0; step < 3; step++) {
      randomGradients(ps, random);
      for (int i = 0; i < ps.size(); i++) {
        twins.get(i).gradient().copyFrom(ps.get(i).gradient());
      }
      muon.step();
      adam.step();
      for (int i = 0; i < ps.size(); i++) {
        Parameter p = ps.get(i);
        if (Muon.orthogonalised(p)) {
          double target = 0.02 * p.rule().layer().spectralScale();
          double sigma = spectralNorm(muon.lastUpdate(p));
          assertTrue(sigma > 0.65 * target && sigma < 1.25 * target, p.name() + ": ‖ΔW‖* = " + sigma + ", η√(fo/fi) = " + target);
        } else {
          assertArrayEquals(twins.get(i).value().data(), p.value().data(), p.name());
        }
      }
    }
    assertEquals(3, muon.stepCount());
  }

  static Stream<Function<List<Parameter>, ParameterOptimizer>> optimizers() {
    return Stream.of(
        ps -> new Sgd(ps, 0.1, 0, 0),
        ps -> new Sgd(ps, 0.1, 0.9, 1e-3),
        ps -> new AdamW(ps, 1e-2, 1e-2),
        ps -> new Normalized(ps, 0.05, UpdateMode.EXACT, 0.5, 1e-3),
        ps -> new Normalized(ps, 0.05, UpdateMode.NEWTON_SCHULZ, 0, 0),
        ps -> new Muon(ps, 0.02, 3e-3, 0.95, 1e-2));
  }

  private static byte[] save(ParameterOptimizer o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      o.writeState(out);
    }
    return bytes.toByteArray();
  }

  private static void load(ParameterOptimizer o, byte[] state) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
      o.readState(in);
      assertEquals(-1, in.read(), "the section is read to its end");
    }
  }

  /** Saved after 5 steps and restored into a fresh optimizer over the same values, the next 5 steps are bit-identical. */
  @ParameterizedTest
  @MethodSource("optimizers")
  void restoredStateContinuesBitIdentically(Function<List<Parameter>, ParameterOptimizer> make) throws IOException {
    List<Parameter> ps = model(Optimizer.ADAM, 11);
    ParameterOptimizer original = make.apply(ps);
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 5; i++) {
      randomGradients(ps, random);
      original.step();
    }
    List<Parameter> copies = model(Optimizer.ADAM, 99);
    for (int i = 0; i < ps.size(); i++) {
      copies.get(i).value().copyFrom(ps.get(i).value());
    }
    ParameterOptimizer restored = make.apply(copies);
    load(restored, save(original));
    assertEquals(5, restored.stepCount());
    for (int i = 0; i < ps.size(); i++) {
      assertArrayEquals(original.lastUpdate(ps.get(i)).data(), restored.lastUpdate(copies.get(i)).data());
    }
    for (int step = 0; step < 5; step++) {
      randomGradients(ps, random);
      for (int i = 0; i < ps.size(); i++) {
        copies.get(i).gradient().copyFrom(ps.get(i).gradient());
      }
      original.step();
      restored.step();
      for (int i = 0; i < ps.size(); i++) {
        assertArrayEquals(ps.get(i).value().data(), copies.get(i).value().data(), ps.get(i).name() + " after " + step);
      }
    }
    assertTrue(original.toString().length() > 0);
  }

  @Test
  void mismatchedOrCorruptSectionsAreRefused() throws IOException {
    List<Parameter> ps = model(Optimizer.ADAM, 5);
    AdamW adam = new AdamW(ps, 1e-3, 0);
    randomGradients(ps, new SplittableRandom(5));
    adam.step();
    byte[] state = save(adam);

    Corrupt kind = assertThrows(Corrupt.class, () -> load(new Sgd(ps, 0.1, 0, 0), state));
    assertTrue(kind.getMessage().contains("adamw"), kind.getMessage());

    List<Parameter> renamed = new ArrayList<>(model(Optimizer.ADAM, 5));
    renamed.set(2, matrix("other", 13, 13, LayerRole.HIDDEN, Optimizer.ADAM, 1));
    Corrupt name = assertThrows(Corrupt.class, () -> load(new AdamW(renamed, 1e-3, 0), state));
    assertTrue(name.getMessage().contains("hidden") && name.getMessage().contains("other"), name.getMessage());

    assertThrows(EOFException.class, () -> load(new AdamW(ps, 1e-3, 0), java.util.Arrays.copyOf(state, state.length - 3)));

    // Every length field turned into a huge count is refused before anything is allocated for it.
    int firstArray = state.length - 5 * 3 * 4 - 4 * (7 * 13 + 13 + 13 * 13 + 13 + 13 * 3) * 3;
    byte[] huge = state.clone();
    huge[firstArray] = 0x7f;
    Corrupt length = assertThrows(Corrupt.class, () -> load(new AdamW(ps, 1e-3, 0), huge));
    assertTrue(length.getMessage().contains("in first moment"), length.getMessage());
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void aNonFiniteValueIsReportedWithTheParameterAndStep(Function<List<Parameter>, ParameterOptimizer> make) {
    List<Parameter> ps = model(Optimizer.ADAM, 7);
    ParameterOptimizer o = make.apply(ps);
    SplittableRandom random = new SplittableRandom(7);
    randomGradients(ps, random);
    o.step();
    randomGradients(ps, random);
    ps.get(2).value().data()[4] = Float.POSITIVE_INFINITY; // "hidden"
    ps.get(4).gradient().data()[1] = Float.NaN; // "out"
    DivergenceException e = assertThrows(DivergenceException.class, o::step);
    assertEquals("hidden", e.layer());
    assertEquals(2, e.step());
    assertTrue(e.getMessage().contains("hidden") && e.getMessage().contains("step 2"), e.getMessage());
  }

  /** Enough steps for C2 to compile {@code simd}'s Vector API kernels: before that they allocate vectors. */
  @org.junit.jupiter.api.Tag("allocation")
  @Test
  void sgdAndAdamStepsAllocateNothing() {
    for (Function<List<Parameter>, ParameterOptimizer> make : optimizers().limit(3).toList()) {
      List<Parameter> ps = model(Optimizer.ADAM, 13);
      randomGradients(ps, new SplittableRandom(13));
      ParameterOptimizer o = make.apply(ps);
      assertEquals(0, ThreadAllocation.during(20_000, o::step), o.toString());
    }
  }

  @Test
  void invalidSettingsAreRefusedNamingTheValue() {
    List<Parameter> ps = model(Optimizer.SGD, 1);
    assertMessage("learning rate must be finite and > 0, got 0.0", () -> new Sgd(ps, 0, 0, 0));
    assertMessage("got NaN", () -> new AdamW(ps, Double.NaN, 0));
    assertMessage("momentum must be in [0, 1), got 1.0", () -> new Normalized(ps, 0.1, UpdateMode.EXACT, 1, 0));
    assertMessage("weight decay must be finite and >= 0, got -1.0", () -> new Muon(ps, 0.1, 0.1, 0.9, -1));
    assertMessage("beta2 must be in [0, 1), got 1.5", () -> new AdamW(ps, 0.1, 0.9, 1.5, 1e-8, 0));
    assertMessage("epsilon must be finite and > 0, got 0.0", () -> new AdamW(ps, 0.1, 0.9, 0.99, 0, 0));
    assertMessage("needs at least one parameter", () -> new Sgd(List.of(), 0.1, 0, 0));
    assertMessage("parameter in is listed twice", () -> new Sgd(List.of(ps.get(0), ps.get(0)), 0.1, 0, 0));
    Sgd sgd = new Sgd(ps.subList(0, 2), 0.1, 0, 0);
    assertMessage("parameter hidden is not updated", () -> sgd.lastUpdate(ps.get(2)));
    assertFalse(sgd.parameters().contains(ps.get(2)));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable code) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, code);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
