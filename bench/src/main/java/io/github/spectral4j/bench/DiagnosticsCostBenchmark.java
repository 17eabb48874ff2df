package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.Mlp;
import io.github.spectral4j.trainer.Training;
import io.github.spectral4j.trainer.TrainingConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the per-step diagnostics of {@link TrainStepBenchmark} are made of, each part timed right after
 * a training step of the same MLP (784-w-w-w-10, batch 128, one GEMM thread), so the caches hold what
 * a step leaves in them. Every invocation is preceded by one untimed {@code Training.step()}
 * ({@code Level.Invocation}: the parts take a millisecond or more, far above JMH's per-invocation
 * timestamps). {@code part}:
 *
 * <ul>
 *   <li>{@code measure}: the whole {@code Diagnostics.measure} (consecutive steps, so the power
 *       iterations on W and W − W₀ take their one tracking iteration) — without the products of that
 *       iteration, which SGD's pass forms inside the (untimed) step; {@code pass} and
 *       {@code passWithProducts} time them;
 *   <li>{@code measureRiding}: the same after a step that carried the probe's rows
 *       ({@code Training.step(Diagnostics)}, the per-step path): no probe forward pass here, its features
 *       come from the step's (the untimed step pays for the extra rows);
 *   <li>{@code probe}: the probe's forward pass alone ({@code probeRows} × d₀ through all layers, with its
 *       features' RMS: {@code Diagnostics.measureFeatures}), what {@code measure} adds to {@code measureRiding};
 *   <li>{@code pass}: plain SGD's pass over every weight, ΔW = α·G added to W with both norms
 *       ({@code Fused.update}; α = 0 here, so the model does not move, for the same traffic);
 *   <li>{@code passWithProducts}: the same pass forming the tracking products of W and W − W₀
 *       ({@code Fused.updateWithDifferenceGram}): its excess over {@code pass} is what the per-step
 *       ‖W‖* and ‖W − W₀‖* cost;
 *   <li>{@code drift}: those products by a pass of their own over W and W₀ after the step
 *       ({@code Fused.differenceGramTimes}, split by rows among the threads): the path of optimizers that
 *       cannot form them, and of plain SGD, whose step (measured or not) writes a weight whose ΔW the
 *       diagnostics take from its factors in the weight gradient's GEMM and then forms its products this way
 *       (then {@code pass} and {@code passWithProducts} describe only the layers that keep their update);
 *   <li>{@code readW0}: reading W₀ once ({@code Blas.nrm2} of every layer): the memory traffic no
 *       per-step ‖W − W₀‖* can avoid;
 *   <li>{@code none}: nothing (the harness).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class DiagnosticsCostBenchmark {
  @Param({"1024"})
  public int width;

  @Param({"measure", "measureRiding", "probe", "pass", "passWithProducts", "drift", "readW0", "none"})
  public String part;

  /** Rows of the probe batch (16, as in the train command). */
  @Param({"16"})
  public int probeRows;

  private Training training;
  private Diagnostics watcher;
  private FloatMatrix[] initial;
  private float[][] x;
  private float[][] ax;
  private float[][] aOut;
  private float[][] y;
  private float[][] dy;
  private float[][] dOut;
  private FloatMatrix[] update;
  /**
   * A gradient per layer for the pass parts: plain SGD's step writes the weights in the weight gradient's
   * GEMM and stores no gradient, and with α = 0 the pass's traffic does not depend on the values.
   */
  private FloatMatrix[] gradient;
  private final double[] norms = new double[3];

  @Setup(Level.Trial)
  public void setUp() {
    Kernels.init(1);
    Dataset data = Dataset.mnist10k();
    training = new Training(TrainingConfig.defaults(new int[] {784, width, width, width, 10}), data);
    watcher = new Diagnostics(training.model(), data.range(0, probeRows).inputs());
    Mlp model = training.model();
    int depth = model.depth();
    initial = new FloatMatrix[depth];
    x = new float[depth][];
    ax = new float[depth][];
    aOut = new float[depth][];
    y = new float[depth][];
    dy = new float[depth][];
    dOut = new float[depth][];
    update = new FloatMatrix[depth];
    gradient = new FloatMatrix[depth];
    for (int l = 0; l < depth; l++) {
      FloatMatrix w = model.weight(l);
      initial[l] = w.copy();
      update[l] = FloatMatrix.zeros(w.rows(), w.cols());
      gradient[l] = FloatMatrix.gaussian(w.rows(), w.cols(), 1e-3, 2L * depth + l);
      x[l] = FloatMatrix.gaussian(1, w.cols(), 1, l).data();
      y[l] = FloatMatrix.gaussian(1, w.cols(), 1, l + depth).data();
      ax[l] = new float[w.rows()];
      dy[l] = new float[w.rows()];
      aOut[l] = new float[w.cols()];
      dOut[l] = new float[w.cols()];
    }
  }

  @Setup(Level.Invocation)
  public void trainingStep() {
    if (part.equals("measureRiding")) {
      training.step(watcher);
    } else {
      training.step();
    }
  }

  @Benchmark
  public Object part() {
    Mlp model = training.model();
    switch (part) {
      case "measure", "measureRiding" -> {
        return watcher.measure(training);
      }
      case "probe" -> {
        // Through the layers' own buffers, as measure does: model.forward would first have the training keep
        // the last step's ΔW (a forward pass overwrites its factors), a GEMM per layer that no measurement pays.
        return watcher.measureFeatures(0);
      }
      case "pass" -> {
        double sum = 0;
        for (int l = 0; l < model.depth(); l++) {
          Fused.update(0f, gradient[l], update[l], model.weight(l), norms);
          sum += norms[1];
        }
        return sum;
      }
      case "passWithProducts" -> {
        double sum = 0;
        for (int l = 0; l < model.depth(); l++) {
          Fused.updateWithDifferenceGram(0f, gradient[l], update[l], model.weight(l), initial[l], x[l],
              ax[l], aOut[l], y[l], dy[l], dOut[l], norms);
          sum += norms[2];
        }
        return sum;
      }
      case "drift" -> {
        double sum = 0;
        for (int l = 0; l < model.depth(); l++) {
          sum += Fused.differenceGramTimes(model.weight(l), initial[l], x[l], ax[l], aOut[l], y[l], dy[l], dOut[l]);
        }
        return sum;
      }
      case "readW0" -> {
        double sum = 0;
        for (FloatMatrix w0 : initial) {
          sum += Blas.nrm2(w0.data());
        }
        return sum;
      }
      case "none" -> {
        return model;
      }
      default -> throw new IllegalArgumentException("unknown part '" + part + "'");
    }
  }
}
