package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.Gpt;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.nn.Linear;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.optim.AdamW;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each parameter kind measured in the norm {@code core} states its targets in (ParameterKind.norm()):
 * hand-computed cases, a double-precision oracle on awkward shapes, and a GPT whose embeddings, gains and
 * matrices are each checked against a direct computation.
 */
class DiagnosticsKindsTest {
  private static final GptConfig SMALL = GptConfig.of(24).withContext(8).withVocabulary(13).withHeads(2);

  @Test
  void handComputedNorms() {
    // A vector's 2-norm: (3, 4) has norm 5; minus (3, 0) it is 4.
    FloatMatrix v = FloatMatrix.wrap(1, 2, new float[] {3, 4});
    assertEquals(5.0, Diagnostics.norm(Diagnostics.Norm.L2, v, null, false));
    assertEquals(4.0, Diagnostics.norm(Diagnostics.Norm.L2, v, FloatMatrix.wrap(1, 2, new float[] {3, 0}), false));
    // ℓ1→ℓ2 of a 3-token table [[3, 4], [1, 0], [0, 2]] (rows are tokens): the largest token vector, |(3, 4)| = 5.
    FloatMatrix table = FloatMatrix.wrap(3, 2, new float[] {3, 4, 1, 0, 0, 2});
    assertEquals(5.0, Diagnostics.norm(Diagnostics.Norm.L1_TO_L2, table, null, true));
    // Stored the other way (columns are the inputs): columns (3, 1, 0) and (4, 0, 2), the larger √20.
    assertEquals(Math.sqrt(20), Diagnostics.norm(Diagnostics.Norm.L1_TO_L2, table, null, false), 1e-15);
    // Against a reference [[3, 0], [1, 0], [0, 0]]: rows (0, 4), (0, 0), (0, 2): 4.
    FloatMatrix ref = FloatMatrix.wrap(3, 2, new float[] {3, 0, 1, 0, 0, 0});
    assertEquals(4.0, Diagnostics.norm(Diagnostics.Norm.L1_TO_L2, table, ref, true));
    assertThrows(IllegalArgumentException.class, () -> Diagnostics.norm(Diagnostics.Norm.SPECTRAL, v, null, false));
  }

  /**
   * Hand-computed through the whole instrument: every GPT parameter set to a constant c, so that a
   * fo × fi matrix has σ₁ = |c|·√(fo·fi) (rank one), a vocabulary × width table has largest token vector
   * |c|·√width, and a 1 × n gain has 2-norm |c|·√n; then every entry moved by the same δ.
   */
  @Test
  void constantParametersHaveHandComputedNorms() {
    Gpt gpt = Gpt.initialize(SMALL, 9);
    for (Parameter p : gpt.parameters()) {
      p.value().fill(0.5f);
    }
    Diagnostics d = new Diagnostics(gpt, tokens(8, 13, 4));
    AdamW adam = new AdamW(gpt.parameters(), 1e-2, 0);
    for (Parameter p : gpt.parameters()) {
      p.value().fill(0.75f); // W − W₀ = 0.25 everywhere
    }
    Measurement m = d.measureToTolerance(adam);
    for (Parameter p : gpt.parameters()) {
      ParameterStats s = m.parameter(p.name());
      int rows = p.value().rows();
      int cols = p.value().cols();
      double count = switch (p.kind().norm()) {
        case "spectral" -> (double) rows * cols;
        case "l1-to-l2" -> cols; // one token's vector: a row of the vocabulary × width table
        default -> cols; // 1 × n
      };
      assertEquals(0.75 * Math.sqrt(count), s.wNorm(), 1e-5 * s.wNorm(), p.name() + " ‖W‖");
      assertEquals(0.25 * Math.sqrt(count), s.dwNorm(), 1e-5 * s.dwNorm(), p.name() + " ‖W − W0‖");
      assertEquals(0.0, s.updateNorm(), p.name() + " no step yet");
      if (p.kind().norm().equals("spectral")) {
        assertEquals(1.0, s.stableRank(), 1e-5, p.name() + " a constant matrix has rank one");
        assertEquals(1.0, s.dwStableRank(), 1e-5, p.name());
      }
    }
  }

  @Test
  void everyKindHasANorm() {
    for (ParameterKind k : ParameterKind.values()) {
      Diagnostics.Norm n = Diagnostics.Norm.of(k);
      assertEquals(k.vectorLike() ? Diagnostics.Norm.L2 : k == ParameterKind.EMBEDDING ? Diagnostics.Norm.L1_TO_L2
          : Diagnostics.Norm.SPECTRAL, n, k.id());
    }
  }

  static Stream<Arguments> seeds() {
    return LongStream.range(0, 240).mapToObj(s -> Arguments.of(s));
  }

  /** The vector and ℓ1→ℓ2 norms against a scalar double computation, on awkward shapes (1 to 37). */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void normsMatchADoubleOracle(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int rows = 1 + r.nextInt(37);
    int cols = 1 + r.nextInt(37);
    FloatMatrix a = FloatMatrix.gaussian(rows, cols, 1 + 9 * r.nextDouble(), r.nextLong());
    FloatMatrix b = FloatMatrix.gaussian(rows, cols, 1, r.nextLong());
    double maxRow = 0;
    double maxRowDiff = 0;
    double all = 0;
    for (int i = 0; i < rows; i++) {
      double s = 0;
      double d = 0;
      for (int j = 0; j < cols; j++) {
        double x = a.get(i, j);
        s += x * x;
        d += (x - b.get(i, j)) * (x - b.get(i, j));
      }
      all += s;
      maxRow = Math.max(maxRow, s);
      maxRowDiff = Math.max(maxRowDiff, d);
    }
    double maxCol = 0;
    for (int j = 0; j < cols; j++) {
      double s = 0;
      for (int i = 0; i < rows; i++) {
        s += (double) a.get(i, j) * a.get(i, j);
      }
      maxCol = Math.max(maxCol, s);
    }
    assertEquals(Math.sqrt(maxRow), Diagnostics.norm(Diagnostics.Norm.L1_TO_L2, a, null, true), 1e-12 * Math.sqrt(maxRow));
    assertEquals(Math.sqrt(maxRowDiff), Diagnostics.norm(Diagnostics.Norm.L1_TO_L2, a, b, true), 1e-12 * Math.sqrt(maxRowDiff));
    assertEquals(Math.sqrt(maxCol), Diagnostics.norm(Diagnostics.Norm.L1_TO_L2, a, null, false), 1e-12 * Math.sqrt(maxCol));
    FloatMatrix flat = FloatMatrix.wrap(1, rows * cols, a.data());
    assertEquals(Math.sqrt(all), Diagnostics.norm(Diagnostics.Norm.L2, flat, null, false), 1e-12 * Math.sqrt(all));
  }

  private static int[] tokens(int n, int vocabulary, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(vocabulary);
    }
    return t;
  }

  /**
   * Every parameter of a GPT measured in its kind's norm, checked against a direct computation from the
   * parameter, its W₀ and the optimizer's ΔW: embeddings (largest token vector), gains (2-norm), matrices
   * (Lanczos). Outputs against RMS of the model's own features.
   */
  @Test
  void gptParametersAreMeasuredWithTheirKindsNorm() {
    Gpt gpt = Gpt.initialize(SMALL, 5);
    List<FloatMatrix> initial = gpt.parameters().stream().map(p -> p.value().copy()).toList();
    int[] probe = tokens(2 * 8, 13, 1);
    Diagnostics d = new Diagnostics(gpt, probe);
    AdamW adam = new AdamW(gpt.parameters(), 1e-2, 0);
    Measurement first = d.measure(adam);
    List<float[]> h0 = java.util.stream.IntStream.range(0, gpt.featureNames().size())
        .mapToObj(i -> gpt.feature(i).data().clone()).toList();
    for (FeatureStats f : first.features()) {
      assertEquals(0.0, f.rmsDh(), f.name());
      assertTrue(f.rmsH() > 0, f.name());
    }
    int[] x = tokens(4 * 8, 13, 2);
    int[] y = tokens(4 * 8, 13, 3);
    Measurement m = null;
    for (int t = 0; t < 3; t++) {
      gpt.forwardBackward(x, y);
      adam.step();
      m = d.measure(adam); // consecutive steps: tracking iterations
    }
    m = d.measureToTolerance(adam);
    assertEquals(3, m.step());
    assertEquals(gpt.parameters().size(), m.parameters().size());
    EnumSet<ParameterKind> seen = EnumSet.noneOf(ParameterKind.class);
    for (int i = 0; i < gpt.parameters().size(); i++) {
      Parameter p = gpt.parameters().get(i);
      ParameterStats s = m.parameters().get(i);
      assertEquals(p.name(), s.name());
      assertEquals(p.kind(), s.kind());
      seen.add(p.kind());
      FloatMatrix w = p.value();
      FloatMatrix dw = w.copy();
      Blas.axpy(-1f, initial.get(i).data(), dw.data());
      FloatMatrix u = adam.lastUpdate(p);
      double[] expected = switch (p.kind().norm()) {
        case "l2" -> new double[] {Blas.frobeniusNorm(w), Blas.frobeniusNorm(dw), Blas.frobeniusNorm(u)};
        case "l1-to-l2" -> new double[] {maxRowNorm(w), maxRowNorm(dw), maxRowNorm(u)};
        default -> new double[] {SpectralConditionPropertyTest.spectralNorm(w, 1e-7),
            SpectralConditionPropertyTest.spectralNorm(dw, 1e-7), SpectralConditionPropertyTest.spectralNorm(u, 1e-7)};
      };
      double tol = p.kind().norm().equals("spectral") ? Diagnostics.TOLERANCE : 1e-5;
      assertEquals(expected[0], s.wNorm(), tol * expected[0], p.name() + " ‖W‖");
      assertEquals(expected[1], s.dwNorm(), tol * expected[1], p.name() + " ‖W − W0‖");
      assertEquals(expected[2], s.updateNorm(), tol * expected[2], p.name() + " ‖ΔW‖");
      assertEquals(Blas.frobeniusNorm(u), s.updateFrobeniusNorm(), 1e-5 * Blas.frobeniusNorm(u), p.name());
      assertTrue(s.dwNorm() > 0, p.name());
      assertEquals(p.rule().targetWeightNorm(), s.targetNorm(), p.name());
      assertEquals(!p.kind().norm().equals("spectral"), Double.isNaN(s.stableRank()), p.name() + " stable rank");
      // Every GPT matrix is a Linear's weight: its update has an alignment; tables and vectors have none.
      assertEquals(!p.kind().norm().equals("spectral"), Double.isNaN(s.alignment()), p.name() + " alignment");
      if (!Double.isNaN(s.alignment())) {
        assertTrue(s.alignment() > 0 && s.alignment() <= 1 + Diagnostics.TOLERANCE, p.name() + " " + s.alignment());
      }
    }
    assertTrue(seen.containsAll(EnumSet.of(ParameterKind.EMBEDDING, ParameterKind.NORM_GAIN, ParameterKind.OUTPUT)),
        "kinds measured: " + seen);
    // The gains start at 1: ‖g₀‖₂ = √n, exactly Condition 1's target √(n/1).
    Measurement start = first;
    for (ParameterStats s : start.parameters()) {
      if (s.kind() == ParameterKind.NORM_GAIN) {
        assertEquals(1.0, s.wSpecRatio(), 1e-6, s.name());
      }
    }
    // Outputs: the probe's features now against those at initialisation.
    gpt.forward(probe);
    for (int i = 0; i < m.features().size(); i++) {
      FeatureStats f = m.features().get(i);
      assertEquals(gpt.featureNames().get(i), f.name());
      FloatMatrix h = gpt.feature(i);
      double n = h.data().length;
      double hSq = 0;
      double dSq = 0;
      for (int k = 0; k < h.data().length; k++) {
        hSq += (double) h.data()[k] * h.data()[k];
        double dk = (double) h.data()[k] - h0.get(i)[k];
        dSq += dk * dk;
      }
      assertEquals(Math.sqrt(hSq / n), f.rmsH(), 1e-5 * Math.sqrt(hSq / n), f.name());
      assertEquals(Math.sqrt(dSq / n), f.rmsDh(), 1e-4 * Math.sqrt(dSq / n), f.name());
      assertTrue(f.rmsDh() > 0, f.name());
    }
    // The readout's alignment against a double computation on its probe input's first rows.
    Linear readout = (Linear) gpt.modules().getLast();
    FloatMatrix in = readout.lastInput();
    FloatMatrix u = adam.lastUpdate(readout.weight());
    double projected = 0;
    double inSq = 0;
    for (int r = 0; r < Diagnostics.ALIGNMENT_ROWS; r++) {
      for (int o = 0; o < u.rows(); o++) {
        double dot = 0;
        for (int k = 0; k < u.cols(); k++) {
          dot += (double) u.get(o, k) * in.get(r, k);
        }
        projected += dot * dot;
      }
      for (int k = 0; k < in.cols(); k++) {
        inSq += (double) in.get(r, k) * in.get(r, k);
      }
    }
    double expected = Math.sqrt(projected) / (SpectralConditionPropertyTest.spectralNorm(u, 1e-7) * Math.sqrt(inSq));
    assertEquals(expected, m.parameter("readout.weight").alignment(), Diagnostics.TOLERANCE * expected);
  }

  /** An MLP's biases are measured as vectors (2-norm), its weights spectrally, in the parameters' order. */
  @Test
  void mlpBiasesAreMeasuredAsVectors() {
    Dataset data = Dataset.mnist10k().subset(0, 500);
    Training t = new Training(TrainingConfig.defaults(new int[] {784, 40, 10}).withBias(true)
        .withOptimizer(io.github.spectral4j.core.Optimizer.ADAM).withLearningRate(1e-2).withBatchSize(32), data);
    Mlp model = t.model();
    float[] b0 = model.bias(0).clone();
    Diagnostics d = new Diagnostics(model, data.range(0, 16).inputs());
    t.step();
    t.step();
    Measurement m = d.measure(t);
    assertEquals(List.of("W1", "b1", "W2", "b2"), m.parameters().stream().map(ParameterStats::name).toList());
    assertEquals(List.of("layer1", "layer2"), m.features().stream().map(FeatureStats::name).toList());
    ParameterStats b = m.parameter("b1");
    assertEquals(ParameterKind.BIAS, b.kind());
    float[] bias = model.bias(0);
    double sq = 0;
    double dsq = 0;
    for (int i = 0; i < bias.length; i++) {
      sq += (double) bias[i] * bias[i];
      dsq += ((double) bias[i] - b0[i]) * ((double) bias[i] - b0[i]);
    }
    assertEquals(Math.sqrt(sq), b.wNorm(), 1e-12 * Math.sqrt(sq));
    assertEquals(Math.sqrt(dsq), b.dwNorm(), 1e-12 * Math.sqrt(dsq));
    double u = Blas.nrm2(t.lastBiasUpdate(0));
    assertEquals(u, b.updateNorm(), 1e-6 * u);
    assertTrue(b.updateNorm() > 0);
    assertTrue(Double.isNaN(b.stableRank()) && Double.isNaN(b.alignment()) && Double.isNaN(b.dwStableRank()));
    assertEquals(Math.sqrt(40.0), b.targetNorm(), 1e-12);
    assertTrue(m.parameter("W1").alignment() > 0);
  }

  /**
   * Measuring a GPT run at every step (tracking iterations), for every optimizer kind, leaves the run
   * bit-identical to an unmeasured one, and every measured value is finite.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(io.github.spectral4j.trainer.optim.OptimizerKind.class)
  void measuringAGptRunDoesNotChangeIt(io.github.spectral4j.trainer.optim.OptimizerKind kind) {
    GptTrainingConfig c = GptTrainingTest.config(kind, kind == io.github.spectral4j.trainer.optim.OptimizerKind.SGD ? 0.2 : 0.01);
    GptTraining plain = new GptTraining(c, GptTrainingTest.CORPUS);
    GptTraining watched = new GptTraining(c, GptTrainingTest.CORPUS);
    Diagnostics d = new Diagnostics(watched.model(), tokens(2 * c.model().context(), 128, 6));
    for (int t = 0; t < 6; t++) {
      assertEquals(plain.step(), watched.step(), "loss at step " + (t + 1));
      Measurement m = d.measure(watched);
      assertEquals(t + 1, m.step());
      for (ParameterStats s : m.parameters()) {
        assertTrue(Double.isFinite(s.wNorm()) && Double.isFinite(s.dwNorm()) && Double.isFinite(s.updateNorm()), s.toString());
        assertTrue(s.updateNorm() > 0, s.toString());
      }
    }
    for (int i = 0; i < plain.model().parameters().size(); i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(plain.model().parameters().get(i).value().data(),
          watched.model().parameters().get(i).value().data());
    }
  }

  /**
   * The MLP's fast path and the path for any model made of modules agree bit for bit: the same MLP (its
   * {@link Mlp#network()}, a Sequential of Linear, φ, Linear with biases) measured both ways after Adam
   * steps gives equal records for every parameter, and the Sequential's stage outputs after φ and the
   * logits equal the MLP's layer outputs.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"tracking", "to tolerance"})
  void anyModuleModelMeasuresAsTheMlpPath(String mode) {
    Dataset data = Dataset.mnist10k().subset(0, 500);
    Training t = new Training(TrainingConfig.defaults(new int[] {784, 37, 23, 10}).withBias(true)
        .withOptimizer(io.github.spectral4j.core.Optimizer.ADAM).withLearningRate(1e-2).withBatchSize(32), data);
    FloatMatrix probe = data.range(7, 13).inputs();
    Diagnostics fast = new Diagnostics(t.model(), probe);
    Diagnostics modules = new Diagnostics(t.model().network(), probe);
    Measurement a = null;
    Measurement b = null;
    for (int i = 0; i < 4; i++) {
      t.step();
      if (mode.equals("tracking")) {
        a = fast.measure(t);
        b = modules.measure(t.optimizer());
      }
    }
    if (!mode.equals("tracking")) {
      a = fast.measureToTolerance(t);
      b = modules.measureToTolerance(t.optimizer());
    }
    assertEquals(a.parameters(), b.parameters());
    assertEquals(List.of("0", "1", "2", "3", "4"), b.features().stream().map(FeatureStats::name).toList());
    for (int l = 0; l < 3; l++) {
      FeatureStats f = a.features().get(l);
      FeatureStats g = b.features().get(l < 2 ? 2 * l + 1 : 4); // after φ; the last Linear gives the logits
      assertEquals(f.rmsH(), g.rmsH(), "layer" + (l + 1));
      assertEquals(f.rmsDh(), g.rmsDh(), "layer" + (l + 1));
    }
    assertTrue(b.parameter("W2").alignment() > 0);
    assertThrows(IllegalStateException.class, () -> modules.measure(t));
    assertThrows(IllegalStateException.class, () -> fast.measure(t.optimizer()));
  }

  @Test
  void refusesAnotherModelAndNamesMissingEntries() {
    Dataset data = Dataset.mnist10k().subset(0, 200);
    Training a = new Training(TrainingConfig.defaults(new int[] {784, 16, 10}), data);
    Training b = new Training(TrainingConfig.defaults(new int[] {784, 16, 10}), data);
    Diagnostics d = new Diagnostics(a.model(), data.range(0, 4).inputs());
    assertThrows(IllegalArgumentException.class, () -> d.measure(b));
    Measurement m = d.measure(a);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.parameter("W9"));
    assertTrue(e.getMessage().contains("W9"), e.getMessage());
  }

  private static double maxRowNorm(FloatMatrix a) {
    double max = 0;
    for (int i = 0; i < a.rows(); i++) {
      double s = 0;
      for (int j = 0; j < a.cols(); j++) {
        s += (double) a.get(i, j) * a.get(i, j);
      }
      max = Math.max(max, s);
    }
    return Math.sqrt(max);
  }
}
