package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every diagnostic against a direct computation (Lanczos for spectral norms). */
class DiagnosticsTest {
  /** The power iterations stop at relative residual TOLERANCE, which bounds the error of σ. */
  private static final double SPECTRAL_TOLERANCE = Diagnostics.TOLERANCE;
  private static final double TOLERANCE = 1e-5;

  private static final Dataset DATA = Dataset.mnist10k().subset(0, 1000);

  @Test
  void atInitialisationNothingHasMoved() {
    Training t = new Training(TrainingConfig.defaults(new int[] {784, 64, 32, 10}), DATA);
    Diagnostics d = new Diagnostics(t.model(), DATA.range(0, 16).inputs());
    Measurement stats = d.measure(t);
    assertEquals(3, stats.parameters().size());
    assertEquals(3, stats.features().size());
    for (int l = 0; l < 3; l++) {
      ParameterStats s = stats.parameters().get(l);
      FeatureStats f = stats.features().get(l);
      assertEquals("W" + (l + 1), s.name());
      assertEquals("layer" + (l + 1), f.name());
      assertEquals(0, s.dwNorm());
      assertEquals(0, s.updateNorm());
      assertEquals(0, f.rmsDh());
      assertTrue(Double.isNaN(s.alignment()));
      double direct = SpectralConditionPropertyTest.spectralNorm(t.model().weight(l), 1e-6);
      assertEquals(direct, s.wNorm(), SPECTRAL_TOLERANCE * direct);
      assertTrue(f.rmsH() > 0);
    }
  }

  /**
   * Plain SGD's update is {@code −η_l·m_l·δᵀ·H}: its spectral norm and alignment come from those factors
   * (when the model still holds them and they are the smaller read: W1 here; W2 and W3 use the stored
   * ΔW) — checked against Lanczos on the stored ΔW, with steps measured
   * every time, with gaps, and with a forward pass of the training batch size in between (which
   * overwrites the factors, so the stored ΔW must be used).
   */
  @ParameterizedTest(name = "every step: {0}, forward in between: {1}")
  @org.junit.jupiter.params.provider.CsvSource({"true, false", "false, false", "true, true"})
  void sgdUpdateNormFromGradientFactorsMatchesLanczos(boolean everyStep, boolean forwardInBetween) {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 64, 10}).withBatchSize(32);
    Training t = new Training(c, DATA);
    FloatMatrix probe = DATA.range(100, 16).inputs();
    Diagnostics d = new Diagnostics(t.model(), probe);
    for (int i = 0; i < 6; i++) {
      t.step();
      if (forwardInBetween) {
        t.model().forward(DATA.range(200, 32).inputs());
      }
      if (everyStep || i % 3 == 2) {
        // The factored path is taken exactly when nothing ran since the step.
        assertEquals(forwardInBetween, Double.isNaN(t.lastUpdateFactorScale(1)), "factors available");
        Measurement stats = d.measure(t);
        Mlp probed = t.model().copy(); // the probe's features, without touching the live model
        probed.forward(probe);
        for (int l = 0; l < 3; l++) {
          ParameterStats s = stats.parameters().get(l);
          FloatMatrix update = t.lastUpdate(l);
          double uSpec = SpectralConditionPropertyTest.spectralNorm(update, 1e-6);
          assertEquals(uSpec, s.updateNorm(), SPECTRAL_TOLERANCE * uSpec, "‖ΔW‖* of W" + (l + 1) + " at step " + (i + 1));
          FloatMatrix in = FloatMatrix.wrap(Diagnostics.ALIGNMENT_ROWS, c.dims()[l],
              java.util.Arrays.copyOf((l == 0 ? probe : probed.features(l - 1)).data(), Diagnostics.ALIGNMENT_ROWS * c.dims()[l]));
          FloatMatrix projected = FloatMatrix.zeros(in.rows(), update.rows());
          Blas.gemm(false, true, 1f, in, update, 0f, projected);
          double alignment = Blas.frobeniusNorm(projected) / (uSpec * Blas.frobeniusNorm(in));
          assertEquals(alignment, s.alignment(), 2 * SPECTRAL_TOLERANCE * alignment, "alignment of W" + (l + 1));
          assertTrue(s.alignment() > 0.2, "an SGD update is aligned with its inputs: " + s.alignment());
        }
      }
    }
  }

  /**
   * The per-step path: the probe's rows ride along in the batch ({@link Training#step(Diagnostics)}), and
   * {@code measure} reports the features of the weights before the step's update (featureStep = step − 1)
   * — checked against the probe run through a copy of the model taken before the step (the rows come from
   * another GEMM kernel than the probe alone: equal to float rounding) — with ‖ΔW‖* from the step's factors,
   * whose input factor is the batch's row prefix of the layer's input, against Lanczos, and the alignment
   * on the features before the update. A plain step or a measurement to tolerance then runs the probe
   * through the updated model (featureStep = step).
   */
  @ParameterizedTest(name = "bias {0}")
  @ValueSource(booleans = {false, true})
  void ridingProbeGivesTheFeaturesBeforeTheUpdate(boolean bias) {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 64, 10}).withBatchSize(48).withBias(bias);
    org.junit.jupiter.api.Assumptions.assumeTrue(c.batchSize() >= Blas.rowIndependentFrom());
    Training t = new Training(c, DATA);
    FloatMatrix probe = DATA.range(100, 16).inputs();
    Mlp initial = t.model().copy();
    initial.forward(probe);
    Diagnostics d = new Diagnostics(t.model(), probe);
    for (int i = 0; i < 4; i++) {
      Mlp before = t.model().copy();
      before.forward(probe);
      t.step(d);
      Measurement m = d.measure(t);
      assertEquals(t.stepCount(), m.step());
      assertEquals(t.stepCount() - 1, m.featureStep());
      for (int l = 0; l < 3; l++) {
        FeatureStats f = m.features().get(l);
        FloatMatrix h = before.features(l);
        double rms = Blas.frobeniusNorm(h) / Math.sqrt(h.data().length);
        FloatMatrix dh = h.copy();
        Blas.axpy(-1f, initial.features(l).data(), dh.data());
        double rmsDh = Blas.frobeniusNorm(dh) / Math.sqrt(dh.data().length);
        assertEquals(rms, f.rmsH(), TOLERANCE * rms, "rms_h of layer " + (l + 1) + " at step " + t.stepCount());
        // At the first step the weights are W0: rms_dh is rounding (the batch's kernel against the probe's).
        assertEquals(rmsDh, f.rmsDh(), i == 0 ? 1e-6 * rms : TOLERANCE * rmsDh + 1e-6 * rms, "rms_dh of layer " + (l + 1));

        ParameterStats s = m.parameter("W" + (l + 1));
        FloatMatrix update = t.lastUpdate(l);
        double uSpec = SpectralConditionPropertyTest.spectralNorm(update, 1e-6);
        assertEquals(uSpec, s.updateNorm(), SPECTRAL_TOLERANCE * uSpec, "‖ΔW‖* of W" + (l + 1));
        FloatMatrix full = l == 0 ? probe : before.features(l - 1);
        FloatMatrix in = FloatMatrix.wrap(Diagnostics.ALIGNMENT_ROWS, full.cols(),
            java.util.Arrays.copyOf(full.data(), Diagnostics.ALIGNMENT_ROWS * full.cols()));
        FloatMatrix projected = FloatMatrix.zeros(in.rows(), update.rows());
        Blas.gemm(false, true, 1f, in, update, 0f, projected);
        double alignment = Blas.frobeniusNorm(projected) / (uSpec * Blas.frobeniusNorm(in));
        assertEquals(alignment, s.alignment(), 2 * SPECTRAL_TOLERANCE * alignment, "alignment of W" + (l + 1));
      }
    }
    assertEquals(t.stepCount(), d.measureToTolerance(t).featureStep(), "to tolerance: the probe after the update");
    t.step();
    Measurement after = d.measure(t);
    assertEquals(t.stepCount(), after.featureStep(), "after a plain step: the probe after the update");
    Mlp now = t.model().copy();
    now.forward(probe);
    FloatMatrix h = now.features(1);
    assertEquals(Blas.frobeniusNorm(h) / Math.sqrt(h.data().length), after.features().get(1).rmsH(), 1e-5);
  }

  /** The probe runs on the diagnostics' own buffers: the model's forward state and the step's factors survive. */
  @Test
  void measuringLeavesTheModelAsItWas() {
    Training t = new Training(TrainingConfig.defaults(new int[] {784, 64, 10}).withBatchSize(32), DATA);
    Diagnostics d = new Diagnostics(t.model(), DATA.range(100, 16).inputs());
    t.step();
    float[] features = t.model().features(0).data().clone();
    double scale = t.lastUpdateFactorScale(0);
    assertFalse(Double.isNaN(scale));
    d.measure(t);
    org.junit.jupiter.api.Assertions.assertArrayEquals(features, t.model().features(0).data());
    assertEquals(scale, t.lastUpdateFactorScale(0), "the step's factors are still the model's");
  }

  /** At 1024 × 1024 the factors (2·b·2048 values per Gram product) are the smaller read below b = 256. */
  @Test
  void factoredUpdateOnlyWhenItReadsLess() {
    assertTrue(Diagnostics.factorsAreSmaller(128, 1024, 1024));
    assertTrue(Diagnostics.factorsAreSmaller(255, 1024, 1024));
    assertFalse(Diagnostics.factorsAreSmaller(256, 1024, 1024));
    assertFalse(Diagnostics.factorsAreSmaller(512, 1024, 1024));
    assertFalse(Diagnostics.factorsAreSmaller(32, 10, 64)); // a narrow output layer: its ΔW is tiny
  }

  @ParameterizedTest(name = "measured {0}")
  @ValueSource(strings = {"every step", "at steps 2 and 5", "to tolerance at steps 1 and 5"})
  void measuresMatchDirectComputation(String schedule) {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 64, 10}).withOptimizer(Optimizer.ADAM).withLearningRate(1e-2);
    Training t = new Training(c, DATA);
    FloatMatrix probe = DATA.range(100, 24).inputs();
    Mlp initial = t.model().copy();
    Diagnostics d = new Diagnostics(t.model(), probe);
    Measurement stats = null;
    for (int i = 0; i < 5; i++) {
      t.step();
      if (schedule.equals("every step") || (schedule.startsWith("at") && (i == 1 || i == 4))) {
        stats = d.measure(t); // every step: incremental W − W0 and tracking power iterations
      } else if (schedule.startsWith("to tolerance") && (i == 0 || i == 4)) {
        stats = d.measureToTolerance(t); // consecutive-step history must not matter
      }
    }
    FloatMatrix h0Input = probe;
    initial.forward(probe);
    Mlp model = t.model().copy();
    model.forward(probe);
    for (int l = 0; l < 3; l++) {
      ParameterStats s = stats.parameters().get(l);
      FeatureStats f = stats.features().get(l);
      FloatMatrix w = t.model().weight(l);
      FloatMatrix dw = w.copy();
      Blas.axpy(-1f, initial.weight(l).data(), dw.data());
      FloatMatrix update = t.lastUpdate(l);
      double wSpec = SpectralConditionPropertyTest.spectralNorm(w, 1e-6);
      double dSpec = SpectralConditionPropertyTest.spectralNorm(dw, 1e-6);
      double uSpec = SpectralConditionPropertyTest.spectralNorm(update, 1e-6);
      assertEquals(wSpec, s.wNorm(), SPECTRAL_TOLERANCE * wSpec, "‖W‖*");
      assertEquals(dSpec, s.dwNorm(), SPECTRAL_TOLERANCE * dSpec, "‖W − W0‖*");
      assertEquals(uSpec, s.updateNorm(), SPECTRAL_TOLERANCE * uSpec, "‖ΔW‖*");
      double uFro = Blas.frobeniusNorm(update);
      assertEquals(uFro, s.updateFrobeniusNorm(), TOLERANCE * uFro);
      double wFro = Blas.frobeniusNorm(w);
      assertEquals(wFro * wFro / (wSpec * wSpec), s.stableRank(), 2 * SPECTRAL_TOLERANCE * s.stableRank());
      double dFro = Blas.frobeniusNorm(dw);
      assertEquals(dFro * dFro / (dSpec * dSpec), s.dwStableRank(), 2 * SPECTRAL_TOLERANCE * s.dwStableRank());
      assertEquals(Math.sqrt((double) s.fanOut() / s.fanIn()), s.targetNorm(), 1e-12 * s.targetNorm());

      FloatMatrix h = model.features(l);
      FloatMatrix h0 = initial.features(l);
      double rms = Blas.frobeniusNorm(h) / Math.sqrt(h.data().length);
      FloatMatrix dh = h.copy();
      Blas.axpy(-1f, h0.data(), dh.data());
      double rmsDh = Blas.frobeniusNorm(dh) / Math.sqrt(dh.data().length);
      assertEquals(rms, f.rmsH(), TOLERANCE * rms);
      assertEquals(rmsDh, f.rmsDh(), TOLERANCE * rmsDh);
      assertTrue(rmsDh > 0);

      FloatMatrix full = l == 0 ? h0Input : model.features(l - 1);
      FloatMatrix in = FloatMatrix.wrap(Diagnostics.ALIGNMENT_ROWS, full.cols(),
          java.util.Arrays.copyOf(full.data(), Diagnostics.ALIGNMENT_ROWS * full.cols()));
      FloatMatrix projected = FloatMatrix.zeros(in.rows(), update.rows());
      Blas.gemm(false, true, 1f, in, update, 0f, projected);
      double alignment = Blas.frobeniusNorm(projected) / (uSpec * Blas.frobeniusNorm(in));
      assertEquals(alignment, s.alignment(), 2 * SPECTRAL_TOLERANCE * alignment);
      assertTrue(s.alignment() > 0 && s.alignment() <= 1 + SPECTRAL_TOLERANCE, "alignment " + s.alignment());
    }
  }
}
