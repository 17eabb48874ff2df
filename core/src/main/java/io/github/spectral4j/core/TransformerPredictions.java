package io.github.spectral4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The paper's predictions for the module outputs of a pre-norm transformer of width {@code n}
 * (GPT-style: token and position {@code EMBEDDING}s summed into a residual stream {@code x₀}; {@code L}
 * blocks {@code x ← x + α·Attn(norm(x))}, {@code x ← x + α·MLP(norm(x))} with {@code ATTENTION_QUERY},
 * {@code _KEY}, {@code _VALUE}, {@code _OUTPUT} and a {@code HIDDEN} {@code n→4n→n} GELU MLP, norm gains
 * {@code NORM_GAIN}; a final norm and an {@code OUTPUT} readout), per parametrization and optimizer,
 * under core's width-transfer rules: how {@code rms_h} (RMS of an output at initialisation) and
 * {@code rms_dh} (RMS of its change after a few steps) of the embedding, the residual stream after each
 * block, and the logits scale with {@code n}. Every exponent comes from the per-kind exponents of
 * {@link Predictions#of(Prediction.Quantity, Parametrization, Optimizer, ParameterKind)}: write
 * {@code H(k)} for a kind's {@code rms_h}, {@code K(k)} for its direct {@code rms_dh} ({@code m·ΔW·x}),
 * {@code A(k)} for how a change of its input reaches its output ({@code [‖m·W‖*] + [fi]/2 − [fo]/2}, the
 * aligned bound of step 5 there). Each output's {@code rms_dh} is the largest exponent over the paths an
 * update reaches it by (kept as a set, as for the MLP):
 *
 * <ol>
 *   <li>Embedding: {@code H(EMBEDDING)}, {@code K(EMBEDDING)} — a one-hot row: SGD moves it by the
 *       stream's gradient, Adam by {@code ±η_l} per entry.
 *   <li>Residual stream (linear: a change is carried to every later block unchanged). A norm's output
 *       {@code x̂ = x/RMS(x)} changes by {@code min(0, [Δx] − [x])} (it cannot change by more than its own
 *       Θ(1) size), plus its gain's {@code K(NORM_GAIN)}. The attention branch: the value path
 *       {@code max(K(V), [Δx̂] + A(V))} passes the attention average (weights sum to 1) and {@code W_o}
 *       ({@code + A(O)}), {@code W_o}'s own {@code K(O)}; the logit path {@code Δs = c·Δq·k} with
 *       {@code Δq} correlated with the keys after training ({@code q}'s gradient is a sum of keys), over a
 *       head dimension ∝ n: {@code [Δs] = [c] + [Δq] + H(K) + 1} (and the same for keys), moves the output
 *       by {@code min(0, [Δs]) + H(V)} (a saturated softmax moves it by at most the values' spread). The
 *       MLP branch: {@code max(K(up), [Δx̂] + A(up))} through GELU (linear for large inputs) and
 *       {@code W_down}, {@code K(down)}. The branch multiplier {@code α} and the depth factors on block
 *       learning rates ({@link ResidualDepth}) are constants in {@code n}: they set how the {@code L}
 *       blocks share the update ({@code Θ(1/L)} each under depth-μP), not any width exponent.
 *   <li>Logits: {@code H(OUTPUT)}; {@code rms_dh = max(K(OUTPUT), [Δx̂_L] + A(OUTPUT))} — the final norm
 *       caps what the stream's growth can do to the readout's input at Θ(1).
 * </ol>
 *
 * <p>Outcome under Adam: {@code SPECTRAL} and {@code MUP} 0 for every output ({@code η_l ∝ 1/fi} cancels
 * the fan-in sum of sign-like updates; the {@code 1/d} logit multiplier keeps {@code Δs} Θ(1)), logits'
 * {@code rms_h} −1/2. {@code STANDARD} (one global η): the embedding 0 (one row, {@code ±η} per entry,
 * whatever the width), every block +1 ({@code ΔW·x} sums {@code fi ∝ n} aligned terms of size η), the
 * logits +1 ({@code W_out}'s own update; the stream's growth reaches them only through the final norm,
 * +1/2). {@code NTK}: blocks and logits +1/2 (its {@code 1/√fi} multiplier halves the fan-in growth).
 *
 * <p><b>Tolerance and direction of each verdict</b> (the widths of a coord check, a few steps at a
 * finite η):
 *
 * <ul>
 *   <li>a predicted 0: {@code |slope| ≤ }{@link #FLAT} = 0.12 — a GPT's outputs are fitted over four
 *       widths 128–1024 after ten steps; the default run's flat outputs measure within ±0.06;
 *   <li>a growth on the residual stream (embedding, blocks): at least the predicted exponent,
 *       {@code slope ≥ a} — the stream is a sum that nothing bends (the final norm, not the stream,
 *       absorbs the growth), and at a finite η the second-order terms {@code ΔW·Δx} only steepen it (the
 *       default standard run measures +2.3 and +2.2 for {@code a = 1}); when a slower path is less than a
 *       power of n behind, a finite-width slope may lie between them, and the band starts at the slowest
 *       path's exponent minus {@link #FLAT};
 *   <li>a growth of the logits: by its sign, {@code slope ≥ }{@link #TREND} = +0.2 — the final norm caps
 *       the stream's part, and once the logits overshoot the loss saturates and Adam's steps start to
 *       cancel, which bends the curve toward 0 (the default standard run measures +0.47 ± 0.13 for
 *       {@code a = 1}); if a path that does not grow is less than a power of n behind, the band starts at
 *       its exponent minus {@link #FLAT};
 *   <li>a decay: {@code slope ≤ −}{@link #TREND};
 *   <li>under SGD a growth upstream of growing logits is predicted but not judged: the logits' growth
 *       saturates the softmax and shrinks the gradient every block receives (as for the MLP).
 * </ul>
 */
public final class TransformerPredictions {
  /** Tolerance on a predicted slope of 0 for every transformer output. */
  public static final double FLAT = 0.12;
  /** A growth of the logits, or a decay, is confirmed by a slope at least this far from 0. */
  public static final double TREND = 0.2;

  private TransformerPredictions() {}

  /**
   * The predictions for {@code quantity} of a transformer's outputs, in order: the embedding, the
   * residual stream after each of {@code blocks} blocks, the logits.
   *
   * @param quantity {@code RMS_H} or {@code RMS_DH} (the weight ratios belong to parameters: they are
   *     not predicted here, see {@link Predictions#of(Prediction.Quantity, Parametrization, Optimizer, ParameterKind)})
   * @param p the parametrization
   * @param optimizer the optimizer every parameter is trained by
   * @param blocks number of blocks L ≥ 1
   * @return {@code blocks + 2} predictions
   * @throws IllegalArgumentException naming a block count below 1
   */
  public static List<Prediction> outputs(Prediction.Quantity quantity, Parametrization p, Optimizer optimizer, int blocks) {
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(p, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    if (blocks < 1) {
      throw new IllegalArgumentException("blocks must be >= 1, got " + blocks);
    }
    List<Prediction> out = new ArrayList<>(blocks + 2);
    if (quantity == Prediction.Quantity.W_SPEC_RATIO || quantity == Prediction.Quantity.DW_SPEC_RATIO) {
      for (int i = 0; i < blocks + 2; i++) {
        out.add(new Prediction(quantity, Double.NaN, Double.NaN, Double.NaN,
            quantity.id() + " belongs to a parameter, not to a module output"));
      }
      return out;
    }
    Stream s = new Stream(p, optimizer, blocks);
    double logits = s.dh.get(blocks + 1).last();
    for (int i = 0; i < blocks + 2; i++) {
      boolean isLogits = i == blocks + 1;
      if (quantity == Prediction.Quantity.RMS_H) {
        out.add(judge(quantity, single(s.h[i]), isLogits));
      } else if (!isLogits && optimizer == Optimizer.SGD && s.dh.get(i).last() > 0 && logits > 0) {
        out.add(new Prediction(quantity, s.dh.get(i).last(), Double.NaN, Double.NaN, "grows like n^"
            + Predictions.exponent(s.dh.get(i).last()) + " at small steps, but under SGD the logits' growth "
            + "saturates the softmax and shrinks the gradient every block receives"));
      } else {
        out.add(judge(quantity, s.dh.get(i), isLogits));
      }
    }
    return out;
  }

  private static NavigableSet<Double> single(double a) {
    NavigableSet<Double> set = new TreeSet<>();
    set.add(a);
    return set;
  }

  /** The band for the paths {@code paths} of one output (see the class comment). */
  private static Prediction judge(Prediction.Quantity q, NavigableSet<Double> paths, boolean logits) {
    double a = paths.last();
    double slowest = paths.first();
    boolean close = a - slowest < 1;
    if (a == 0) {
      return new Prediction(q, a, -FLAT, FLAT, "width-independent");
    }
    if (a < 0) {
      return new Prediction(q, a, Double.NEGATIVE_INFINITY, -TREND, "shrinks like n^" + Predictions.exponent(a));
    }
    String what = "grows like n^" + Predictions.exponent(a);
    if (logits) {
      if (close && slowest <= 0) {
        return new Prediction(q, a, slowest - FLAT, Double.POSITIVE_INFINITY, what + ", but a path with n^"
            + Predictions.exponent(slowest) + " is less than a power of n behind");
      }
      return new Prediction(q, a, TREND, Double.POSITIVE_INFINITY, what
          + " at small steps; the final norm and the saturating loss bend it toward 0: judged by its sign");
    }
    if (close) {
      return new Prediction(q, a, slowest - FLAT, Double.POSITIVE_INFINITY, what + ", but a path with n^"
          + Predictions.exponent(slowest) + " is less than a power of n behind: a finite-width slope lies above "
          + Predictions.exponent(slowest));
    }
    return new Prediction(q, a, a, Double.POSITIVE_INFINITY, what
        + " at least: nothing bends the residual stream, and larger steps only steepen it");
  }

  /** The derivation of the class comment: the exponents of every output. */
  private static final class Stream {
    /** {@code rms_h} per output: embedding, blocks, logits. */
    final double[] h;
    /** {@code rms_dh} per output, as the set of its paths' exponents. */
    final List<NavigableSet<Double>> dh = new ArrayList<>();

    Stream(Parametrization p, Optimizer o, int blocks) {
      h = new double[blocks + 2];
      PredictionScaling emb = PredictionScaling.of(p, o, ParameterKind.EMBEDDING);
      PredictionScaling gain = PredictionScaling.of(p, o, ParameterKind.NORM_GAIN);
      PredictionScaling q = PredictionScaling.of(p, o, ParameterKind.ATTENTION_QUERY);
      PredictionScaling k = PredictionScaling.of(p, o, ParameterKind.ATTENTION_KEY);
      PredictionScaling v = PredictionScaling.of(p, o, ParameterKind.ATTENTION_VALUE);
      PredictionScaling out = PredictionScaling.of(p, o, ParameterKind.ATTENTION_OUTPUT);
      PredictionScaling mlp = PredictionScaling.of(p, o, ParameterKind.HIDDEN);
      PredictionScaling readout = PredictionScaling.of(p, o, ParameterKind.OUTPUT);
      double c = PredictionScaling.logitMultiplier(p);
      double kEmb = direct(p, o, emb);
      double kGain = direct(p, o, gain);
      double kQ = direct(p, o, q);
      double kK = direct(p, o, k);
      double kV = direct(p, o, v);
      double kO = direct(p, o, out);
      double kMlp = direct(p, o, mlp);
      // at initialisation: norm outputs have RMS Θ(1); the attention average and GELU change constants only
      double hBranch = Math.max(v.rmsH() + out.randomGain(), mlp.rmsH() + mlp.randomGain());
      double hx = emb.rmsH();
      h[0] = hx;
      NavigableSet<Double> dx = single(kEmb);
      dh.add(dx);
      for (int l = 1; l <= blocks; l++) {
        for (int sub = 0; sub < 2; sub++) {
          NavigableSet<Double> normed = normChange(dx, hx, kGain);
          NavigableSet<Double> branch = new TreeSet<>();
          if (sub == 0) {
            NavigableSet<Double> value = union(single(kV), shift(normed, v.changeGain()));
            double dq = Math.max(kQ, normed.last() + q.changeGain());
            double dk = Math.max(kK, normed.last() + k.changeGain());
            double ds = c + 1 + Math.max(dq + k.rmsH(), dk + q.rmsH());
            value.add(Math.min(0, ds) + v.rmsH());
            branch.addAll(shift(value, out.changeGain()));
            branch.add(kO);
          } else {
            branch.addAll(shift(union(single(kMlp), shift(normed, mlp.changeGain())), mlp.changeGain()));
            branch.add(kMlp);
          }
          dx = union(dx, branch);
          hx = Math.max(hx, hBranch);
        }
        h[l] = hx;
        dh.add(dx);
      }
      h[blocks + 1] = readout.rmsH();
      NavigableSet<Double> logits = shift(normChange(dx, hx, kGain), readout.changeGain());
      logits.add(direct(p, o, readout));
      dh.add(logits);
    }

    private static double direct(Parametrization p, Optimizer o, PredictionScaling s) {
      return s.rmsDhDirect(o, Predictions.delta(p, o, s.kind));
    }

    /** A norm's output change: {@code min(0, [Δx] − [x])} per path, and its gain's own update. */
    private static NavigableSet<Double> normChange(NavigableSet<Double> dx, double hx, double kGain) {
      NavigableSet<Double> out = new TreeSet<>();
      for (double d : dx) {
        out.add(Math.min(0, d - hx));
      }
      out.add(kGain);
      return out;
    }

    private static NavigableSet<Double> shift(NavigableSet<Double> set, double by) {
      NavigableSet<Double> out = new TreeSet<>();
      for (double d : set) {
        out.add(d + by);
      }
      return out;
    }

    private static NavigableSet<Double> union(NavigableSet<Double> a, NavigableSet<Double> b) {
      NavigableSet<Double> out = new TreeSet<>(a);
      out.addAll(b);
      return out;
    }
  }
}
