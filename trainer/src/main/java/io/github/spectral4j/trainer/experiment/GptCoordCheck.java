package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.Prediction;
import io.github.spectral4j.core.TransformerPredictions;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.FeatureStats;
import io.github.spectral4j.trainer.nn.Gpt;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.optim.AdamW;
import io.github.spectral4j.trainer.text.TextCorpus;
import io.github.spectral4j.trainer.text.TokenBatches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The coord check of arXiv 2310.17813 on the character-level {@link Gpt}: for each parametrization and
 * width {@code n}, a GPT ({@link GptConfig} defaults otherwise: 2 blocks, 4 heads of width {@code n/4},
 * context 64, vocabulary 128) with every rule transferred from the base width is trained for {@code T}
 * AdamW steps from the same seed on the same batches of the Brown corpus, and on a fixed probe batch of
 * held-out text it measures, per module output {@code h} — the embedding, the residual stream after each
 * block, the logits — {@code rms_h} (RMS of h at initialisation) and {@code rms_dh} (RMS of {@code h_T −
 * h_0}). The weight metrics of the MLP's report ({@code w_spec_ratio}, {@code dw_spec_ratio},
 * {@code dw_stable_rank}) belong to matrices, not to module outputs, and are left empty.
 *
 * <p>Verdicts compare each output's {@code rms_dh} slope with core's {@link TransformerPredictions} (the
 * derivation and each band are there): spectral and μP learn features at every width, {@code |slope| ≤
 * 0.12} for every output; standard (one global Adam η) keeps the embedding's update flat and makes every
 * block's grow, slope ≥ +1.0, and the logits', slope ≥ +0.2 — issue 10's bars. Slopes are fitted over the widths at least the vocabulary (128), where
 * every rule is in its large-width regime (below it the readout's {@code min(1, √(fo/fi))} switches
 * branch).
 */
public final class GptCoordCheck {
  private GptCoordCheck() {}

  /**
   * What to run. Widths are sorted ascending.
   *
   * @param parametrizations at least one, no repeats
   * @param widths at least one, each a positive multiple of {@code heads}, no repeats
   * @param baseWidth width of the base model every rule is transferred from, a multiple of {@code heads}
   * @param lr AdamW's base learning rate η, finite, &gt; 0
   * @param steps training steps T ≥ 1
   * @param batch sequences per batch ≥ 1
   * @param seed seed of initialisation, batches and the probe
   * @param probe sequences in the probe batch ≥ 1 (held-out text)
   * @param blocks transformer blocks ≥ 1
   * @param heads attention heads ≥ 1
   * @param context tokens per sequence ≥ 1
   */
  public record Options(
      List<Parametrization> parametrizations,
      int[] widths,
      int baseWidth,
      double lr,
      int steps,
      int batch,
      long seed,
      int probe,
      int blocks,
      int heads,
      int context) {
    /** Validates; throws {@link IllegalArgumentException} naming the offending value. */
    public Options {
      Objects.requireNonNull(parametrizations, "parametrizations");
      Objects.requireNonNull(widths, "widths");
      parametrizations = CoordCheck.checkParametrizations(parametrizations);
      widths = CoordCheck.checkWidths(widths);
      CoordCheck.checkHeads(widths, heads);
      if (baseWidth < 1 || baseWidth % heads != 0) {
        throw new IllegalArgumentException("--base-width " + baseWidth + " must be a positive multiple of --heads " + heads);
      }
      if (!(lr > 0) || !Double.isFinite(lr)) {
        throw new IllegalArgumentException("--lr must be finite and > 0, got " + lr);
      }
      CoordCheck.positive("--steps", steps);
      CoordCheck.positive("--batch", batch);
      CoordCheck.positive("--probe", probe);
      CoordCheck.positive("--blocks", blocks);
      CoordCheck.positive("--context", context);
    }

    @Override
    public int[] widths() {
      return widths.clone();
    }

    /** The model at {@code width}, rules transferred from the base width. */
    GptConfig config(Parametrization p, int width) {
      return new GptConfig(width, blocks, heads, context, TextCorpus.VOCABULARY, p, Optimizer.ADAM, baseWidth);
    }
  }

  /** The names of the measured outputs: {@code embedding}, {@code block1} … {@code blockL}, {@code logits}. */
  static List<String> outputs(int blocks) {
    List<String> names = new ArrayList<>();
    names.add("embedding");
    for (int l = 1; l <= blocks; l++) {
      names.add("block" + l);
    }
    names.add("logits");
    return names;
  }

  /** Runs the coord check on {@code corpus} (training batches from its training text, the probe held out). */
  public static CoordCheckReport run(Options o, TextCorpus corpus, Progress progress) {
    int[] widths = o.widths();
    List<Parametrization> ps = o.parametrizations();
    List<String> outputs = outputs(o.blocks());
    TokenBatches train = new TokenBatches(corpus.train(), o.batch(), o.context(), o.seed());
    TokenBatches held = new TokenBatches(corpus.heldOut(), o.probe(), o.context(), o.seed());
    int[] probe = new int[o.probe() * o.context()];
    held.fill(0, probe, new int[probe.length]);
    int metrics = CoordCheckReport.METRICS.size();
    double[][][][] values = new double[ps.size()][metrics][outputs.size()][widths.length];
    for (double[][][] a : values) {
      for (double[][] b : a) {
        for (double[] c : b) {
          Arrays.fill(c, Double.NaN);
        }
      }
    }
    Map<Parametrization, SortedMap<Integer, String>> diverged = new LinkedHashMap<>();
    double total = 0;
    for (int w : widths) {
      total += work(o, w) * ps.size();
    }
    progress.start(ps.size() * widths.length, total);
    for (int pi = 0; pi < ps.size(); pi++) {
      Parametrization p = ps.get(pi);
      SortedMap<Integer, String> div = new TreeMap<>();
      for (int wi = 0; wi < widths.length; wi++) {
        try {
          double[][] m = measure(o, o.config(p, widths[wi]), train, probe);
          for (int l = 0; l < outputs.size(); l++) {
            values[pi][CoordCheckReport.RMS_H][l][wi] = m[0][l];
            values[pi][CoordCheckReport.RMS_DH][l][wi] = m[1][l];
          }
        } catch (DivergenceException | CoordCheck.Diverged e) {
          div.put(widths[wi], e.getMessage());
        }
        progress.advance(work(o, widths[wi]), p.id() + " n=" + widths[wi]);
      }
      if (!div.isEmpty()) {
        diverged.put(p, div);
      }
    }
    progress.finish();
    CoordCheckReport.Setup setup = new CoordCheckReport.Setup("brown", Optimizer.ADAM, o.lr(), o.steps(), o.batch(),
        o.seed(), 1, TextCorpus.VOCABULARY, TextCorpus.VOCABULARY, false);
    String model = String.format(Locale.ROOT,
        "GPT, %d block%s, %d heads, context %d, vocabulary %d, rules transferred from width %d, batch %d x %d tokens",
        o.blocks(), o.blocks() == 1 ? "" : "s", o.heads(), o.context(), TextCorpus.VOCABULARY, o.baseWidth(), o.batch(), o.context());
    return CoordCheckReport.of(setup, model, widths, outputs, ps, values, diverged, JUDGE);
  }

  /** Rough floating-point cost of one run (12·n² weights per block, 6 flops per weight per token). */
  private static double work(Options o, int width) {
    double weights = 12.0 * width * width * o.blocks() + 2.0 * TextCorpus.VOCABULARY * width;
    return weights * (6.0 * o.batch() * o.steps() + 4.0 * o.probe()) * o.context();
  }

  /**
   * Trains one model and returns {@code {rms_h per output, rms_dh per output}}.
   *
   * @throws DivergenceException from the optimizer, naming the parameter and step, or from
   *     {@link Diagnostics} if a measured feature is not finite
   * @throws CoordCheck.Diverged if the loss is not finite
   */
  static double[][] measure(Options o, GptConfig config, TokenBatches train, int[] probeTokens) {
    Gpt gpt = Gpt.initialize(config, o.seed());
    // One instrument: Diagnostics snapshots h₀ now; only module outputs are measured (no parameter norms).
    Diagnostics diagnostics = new Diagnostics(gpt, probeTokens);
    List<FeatureStats> initial = diagnostics.measureFeatures(0);
    int n = initial.size();
    double[] rms = new double[n];
    double[] change = new double[n];
    AdamW adam = new AdamW(gpt.parameters(), o.lr(), 0);
    int[] x = new int[o.batch() * o.context()];
    int[] y = new int[x.length];
    for (int t = 0; t < o.steps(); t++) {
      train.fill(t, x, y);
      double loss = gpt.forwardBackward(x, y);
      if (!Double.isFinite(loss)) {
        throw new CoordCheck.Diverged("non-finite loss " + loss + " at step " + (t + 1));
      }
      adam.step();
    }
    List<FeatureStats> last = diagnostics.measureFeatures(o.steps());
    for (int i = 0; i < n; i++) {
      rms[i] = initial.get(i).rmsH();
      change[i] = last.get(i).rmsDh();
    }
    return new double[][] {rms, change};
  }

  /** The verdicts below, and core's predictions for AdamW as each series' predicted slope and band. */
  static final CoordCheckReport.Judge JUDGE = new CoordCheckReport.Judge() {
    @Override
    public Verdict judge(Parametrization p, List<String> outputs, double[] dhSlopes, int[] fitWidths,
        SortedMap<Integer, String> diverged) {
      return GptCoordCheck.judge(p, outputs, dhSlopes, fitWidths, diverged);
    }

    @Override
    public Prediction prediction(Parametrization p, Prediction.Quantity quantity, List<String> outputs, String output) {
      return TransformerPredictions.outputs(quantity, p, Optimizer.ADAM, outputs.size() - 2).get(outputs.indexOf(output));
    }
  };

  /**
   * Judges one parametrization: each output's {@code rms_dh} slope against core's
   * {@link TransformerPredictions} for AdamW (the optimizer this coord check trains with), which hold
   * spectral and μP to {@code |slope| ≤ 0.12} everywhere and standard to a flat embedding, block slopes
   * {@code ≥ +1.0} and a logits slope {@code ≥ +0.2}.
   */
  static Verdict judge(Parametrization p, List<String> outputs, double[] dhSlopes, int[] fitWidths,
      SortedMap<Integer, String> diverged) {
    return judge(p, Optimizer.ADAM, outputs, dhSlopes, fitWidths, diverged);
  }

  /**
   * Judges one parametrization trained by {@code optimizer} (see {@link #judge(Parametrization, List,
   * double[], int[], SortedMap)}); outputs are {@link #outputs(int)}.
   */
  static Verdict judge(Parametrization p, Optimizer optimizer, List<String> outputs, double[] dhSlopes,
      int[] fitWidths, SortedMap<Integer, String> diverged) {
    if (!diverged.isEmpty()) {
      return Verdict.of(p, false, "diverged at width " + diverged.firstKey() + " (" + diverged.get(diverged.firstKey()) + ")");
    }
    if (fitWidths.length < 2) {
      return Verdict.notApplicable(p, "no slope to judge: need at least 2 widths >= the vocabulary "
          + TextCorpus.VOCABULARY + ", got " + Arrays.toString(fitWidths));
    }
    List<Prediction> predictions =
        TransformerPredictions.outputs(Prediction.Quantity.RMS_DH, p, optimizer, outputs.size() - 2);
    return Verdicts.judgeSlopes(p, optimizer, outputs, predictions, dhSlopes);
  }
}
