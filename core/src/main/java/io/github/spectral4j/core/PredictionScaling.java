package io.github.spectral4j.core;

import java.util.List;

/**
 * Exponents in the width {@code n} of one parameter of a given {@link ParameterKind}: of its dimensions
 * and of core's width-transfer rule for it ({@link ModelShape#rules(Parametrization, Optimizer, ModelShape)}
 * against a base of fixed width — the rules a model tuned at a base width is scaled by), and the exponents
 * of what its update does, derived as in {@link Predictions}. Write {@code [x]} for the exponent of
 * {@code x}. A parameter of each kind sits at width {@code n} as: {@code INPUT} {@code [n, F]},
 * {@code HIDDEN} and attention {@code [n, n]}, {@code ATTENTION_QKV} {@code [3n, n]}, {@code CONV}
 * {@code [n, n, 3, 3]}, {@code OUTPUT} {@code [F, n]}, {@code EMBEDDING} {@code [F, n]} (vocabulary
 * {@code F}), vectors {@code [n]}, with {@code F} fixed. Package-private: the public face is
 * {@link Predictions#of(Prediction.Quantity, Parametrization, Optimizer, ParameterKind)} and
 * {@link TransformerPredictions}.
 */
final class PredictionScaling {
  /** Widths at which the rules' exponents are read off: large enough that {@code min(1, …)} has settled. */
  private static final int N1 = 1 << 20;
  private static final int N2 = 1 << 24;
  /** The base width of the transfer; any fixed value gives the same exponents. */
  private static final int BASE = 256;
  /** The fixed dimensions (input, classes, vocabulary); any fixed values give the same exponents. */
  static final int FIXED = 16;

  final ParameterKind kind;
  /** {@code [fan-in]} of the dense matrix the parameter acts as: 0 for vectors and embeddings. */
  final double fi;
  /** {@code [fan-out]}: 0 for the readout, 1 otherwise. */
  final double fo;
  /** {@code [σ]}; {@code NaN} for a constant initialisation (vectors). */
  final double sigma;
  /** Whether the parameter starts at zero (a bias): no initial norm, no initial output. */
  final boolean zero;
  /** {@code [m]}, the forward multiplier's exponent. */
  final double m;
  /** {@code [η_l]}, the learning-rate multiplier's exponent. */
  final double lr;
  /**
   * {@code [‖x‖]} of the parameter's input when that input has RMS Θ(1): {@code [fi]/2} for a dense
   * input, 0 for an embedding's one-hot input and a vector's constant input 1.
   */
  final double input;

  private PredictionScaling(Parametrization p, Optimizer o, ParameterKind kind) {
    this.kind = kind;
    LayerRule r1 = rule(p, o, kind, N1);
    LayerRule r2 = rule(p, o, kind, N2);
    boolean vector = kind.vectorLike();
    fi = vector || kind == ParameterKind.EMBEDDING || kind == ParameterKind.INPUT ? 0 : 1;
    fo = kind == ParameterKind.OUTPUT ? 0 : 1;
    zero = r1.initStd() == 0 && r1.initMean() == 0;
    sigma = r1.initStd() == 0 ? Double.NaN : exponent(r1.initStd(), r2.initStd());
    m = exponent(r1.forwardMultiplier(), r2.forwardMultiplier());
    lr = exponent(r1.learningRateMultiplier(), r2.learningRateMultiplier());
    input = vector || kind == ParameterKind.EMBEDDING ? 0 : fi / 2;
  }

  /** The exponents of a {@code kind} parameter under {@code p}'s width-transfer rules for {@code o}. */
  static PredictionScaling of(Parametrization p, Optimizer o, ParameterKind kind) {
    return new PredictionScaling(p, o, kind);
  }

  /** The shape of a {@code kind} parameter at width {@code n} (see the class comment). */
  static ParameterSpec spec(ParameterKind kind, int n) {
    return switch (kind) {
      case INPUT -> new ParameterSpec("p", kind, n, FIXED);
      case OUTPUT, EMBEDDING -> new ParameterSpec("p", kind, FIXED, n);
      case BIAS, NORM_GAIN -> new ParameterSpec("p", kind, n);
      case ATTENTION_QKV -> new ParameterSpec("p", kind, 3 * n, n);
      case CONV -> new ParameterSpec("p", kind, n, n, 3, 3);
      case HIDDEN, ATTENTION_QUERY, ATTENTION_KEY, ATTENTION_VALUE, ATTENTION_OUTPUT -> new ParameterSpec("p", kind, n, n);
    };
  }

  /** core's rule for a lone {@code kind} parameter at width {@code n}, transferred from width {@link #BASE}. */
  static LayerRule rule(Parametrization p, Optimizer o, ParameterKind kind, int n) {
    return ModelShape.of(List.of(spec(kind, n))).rules(p, o, ModelShape.of(List.of(spec(kind, BASE)))).get(0);
  }

  /**
   * {@code [RMS(h)]} of the parameter's output {@code h = m·W·x} at initialisation for an input of RMS
   * Θ(1): {@code [σ] + [m] + [‖x‖]} (entries of {@code W·x} are {@code N(0, σ²‖x‖²)}); a norm gain's
   * {@code g ⊙ x̂} is {@code [m]}; {@code NaN} for a bias (it starts at zero).
   */
  double rmsH() {
    if (zero) {
      return Double.NaN;
    }
    return kind.vectorLike() ? m : sigma + m + input;
  }

  /**
   * {@code [‖m·W₀‖]} in the kind's norm: {@code [σ] + [m] + max([fi], [fo])/2} for a Gaussian matrix
   * ({@code σ(√fi + √fo)}), {@code [σ] + [m] + [fo]/2} for an embedding (a column's 2-norm), {@code [m] + [fo]/2}
   * for a gain of ones; {@code NaN} for a bias.
   */
  double weightNorm() {
    if (zero) {
      return Double.NaN;
    }
    return kind.vectorLike() ? m + fo / 2 : sigma + m + Math.max(fi, fo) / 2;
  }

  /** {@code [‖m·W₀‖ / √(fo/fi)]} with the rule's fans (an embedding's and a vector's fan-in is 1). */
  double wSpecRatio() {
    return weightNorm() - (fo - fi) / 2;
  }

  /**
   * {@code [RMS(m·W·Δ)] − [RMS(Δ)]}: how a change {@code Δ} of the parameter's input reaches its output,
   * when {@code Δ} lies along the directions the matrix amplifies most (step 5 of {@link Predictions}:
   * a change fed by backpropagation lies in the span of {@code Wᵀδ}):
   * {@code [‖m·W‖*] + [fi]/2 − [fo]/2}. For a gain, {@code g ⊙ Δ} with {@code g = 1}: {@code [m]}.
   */
  double changeGain() {
    if (kind.vectorLike()) {
      return m;
    }
    return sigma + m + Math.max(fi, fo) / 2 + fi / 2 - fo / 2;
  }

  /**
   * {@code [σ] + [m] + [fi]/2}: the gain of {@code m·W} at initialisation on a vector it is independent
   * of, forward ({@code RMS(m·W·x)/RMS(x)}, entries of {@code W·x} are {@code N(0, σ²‖x‖²)}) and backward
   * ({@code ‖(m·W)ᵀδ‖/‖δ‖} — {@code fi} entries of {@code N(0, σ²‖δ‖²)}).
   */
  double randomGain() {
    return sigma + m + fi / 2;
  }

  /**
   * {@code [‖m·ΔW‖]} in the kind's norm after a step, given {@code [‖δ‖]}, the gradient on the output:
   * SGD {@code [η_l] + [m] + [‖δ‖] + [‖x‖]} (the batch gradient {@code m·δ·xᵀ} has spectral norm
   * {@code m‖δ‖‖x‖}); Adam {@code [η_l] + ([fi] + [fo])/2} (entries {@code ±η_l} on the columns the
   * input reaches: all for a dense input, the seen tokens' for an embedding, the one column of a vector);
   * normalized {@code [η_l]}; all plus {@code [m]} for the effective update.
   */
  double update(Optimizer o, double delta) {
    return m + switch (o) {
      case SGD -> lr + m + delta + input;
      case ADAM -> lr + (fi + fo) / 2;
      case NORMALIZED -> lr;
    };
  }

  /** {@code [‖m·ΔW‖ / √(fo/fi)]}. */
  double dwSpecRatio(Optimizer o, double delta) {
    return update(o, delta) - (fo - fi) / 2;
  }

  /**
   * {@code [RMS(m·ΔW·x)]}, the change the parameter's own update makes to its output on an input of RMS
   * Θ(1) that shares the batch's directions: {@code [‖m·ΔW‖*] + [‖x‖] − [fo]/2}.
   */
  double rmsDhDirect(Optimizer o, double delta) {
    return update(o, delta) + input - fo / 2;
  }

  /** The exponent of {@code v ∝ n^a} from its values at N1 and N2, to the nearest quarter. */
  static double exponent(double v1, double v2) {
    double a = Math.log(v2 / v1) / Math.log((double) N2 / N1);
    return Math.rint(a * 4) / 4;
  }

  /**
   * {@code [c]}, the exponent in the head dimension of {@code p}'s attention logit multiplier
   * ({@link Parametrization#attentionLogitMultiplier(int, int)}, base head dimension fixed).
   */
  static double logitMultiplier(Parametrization p) {
    return exponent(p.attentionLogitMultiplier(N1, BASE), p.attentionLogitMultiplier(N2, BASE));
  }
}
