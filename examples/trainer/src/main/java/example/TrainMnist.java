package example;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.FeatureStats;
import io.github.spectral4j.trainer.Measurement;
import io.github.spectral4j.trainer.ParameterStats;
import io.github.spectral4j.trainer.Training;
import io.github.spectral4j.trainer.TrainingConfig;

/** Trains an MLP on the bundled MNIST digits under the spectral parametrization and watches it. */
public final class TrainMnist {
  public static void main(String[] args) {
    Dataset mnist = Dataset.mnist10k(); // 10,000 digits shipped in the trainer jar
    Dataset train = mnist.subset(0, 9_000);
    Dataset test = mnist.subset(9_000, 1_000);

    TrainingConfig config = TrainingConfig.defaults(new int[] {784, 512, 512, 10})
        .withParametrization(Parametrization.SPECTRAL)
        .withOptimizer(Optimizer.SGD)
        .withLearningRate(0.5) // per-layer rates are 0.5 times the spectral multipliers fanOut/fanIn
        .withMomentum(0.9)
        .withBatchSize(128);
    Training training = new Training(config, train);

    // Diagnostics measure every parameter against the spectral condition, and every layer's output on a
    // fixed probe batch. |m|*||W||* and the last step's |m|*||dW||* should scale like sqrt(fanOut/fanIn):
    // their ratios to it (w_spec_ratio, update_spec_ratio) should not move when you change the width 512
    // (the spectral init puts w_spec_ratio in [1, 2]), and neither should the RMS of the features h and
    // of their change dh since initialisation (rms_h, rms_dh).
    Diagnostics diagnostics = new Diagnostics(training.model(), train.range(0, 16).inputs());
    int epochs = 3;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      double loss = 0;
      for (int i = 0; i < training.stepsPerEpoch(); i++) {
        loss += training.step();
      }
      System.out.printf("epoch %d  train loss %.4f  test accuracy %.2f%%%n",
          epoch, loss / training.stepsPerEpoch(), 100 * training.accuracy(test));
      Measurement m = diagnostics.measure(training);
      for (int l = 0; l < training.model().depth(); l++) {
        ParameterStats w = m.parameter("W" + (l + 1));
        FeatureStats h = m.features().get(l);
        System.out.printf("  %-3s w_spec_ratio %.2f  update_spec_ratio %.3f  rms_h %.3f  rms_dh %.3f%n",
            w.name(), w.wSpecRatio(), w.updateSpecRatio(), h.rmsH(), h.rmsDh());
      }
    }
  }
}
