package io.github.spectral4j.core;

import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The paper's predictions: how each coord-check quantity of a layer scales with the hidden width
 * {@code n} of an MLP {@code d-n-…-n-C} ({@code d}, {@code C} fixed, at least one hidden layer),
 * per parametrization, layer role and optimizer, after a few steps of training. Every exponent is
 * derived here from core's own rules ({@link Parametrization#rule}), so a changed rule changes its
 * prediction. Keyed by {@link LayerRole} for the MLP's chain below; per {@link ParameterKind} (every kind:
 * embedding, attention, gains, convolutions) by {@link #of(Prediction.Quantity, Parametrization, Optimizer,
 * ParameterKind)}, and for a transformer's module outputs by {@link TransformerPredictions}, with the same
 * steps.
 *
 * <p><b>Derivation</b> (Section 3 of arXiv 2310.17813, Tensor Programs V §5 and Table 3). Write
 * {@code [x]} for the exponent of {@code x} in {@code n}. A role fixes {@code [fi]}, {@code [fo]}
 * ({@code INPUT} 0, 1; {@code HIDDEN} 1, 1; {@code OUTPUT} 1, 0); the rule fixes
 * {@code [σ]}, the forward multiplier {@code [m]} and the learning-rate multiplier {@code [η_l]} (read
 * off the rule at two large widths). The effective weight is {@code m·W}.
 *
 * <ol>
 *   <li>Initial norm: a Gaussian matrix has {@code ‖W‖* ≈ σ(√fi + √fo)}, so
 *       {@code [w_spec_ratio] = [σ] + [m] + max([fi], [fo])/2 − ([fo] − [fi])/2}.
 *   <li>Forward: at initialisation {@code h_l = m·W·h_{l−1}} has {@code RMS(h_l) = σ·m·√fi·RMS(h_{l−1})}
 *       (inputs RMS Θ(1); ReLU changes constants only), so {@code [rms_h_l] = [σ]+[m]+[fi]/2+[rms_h_{l−1}]}.
 *   <li>Backward: the loss gradient on the logits is Θ(1); {@code δ_{l−1} = (m W_l)ᵀδ_l} has
 *       {@code [‖δ_{l−1}‖] = [σ] + [m] + [fi]/2 + [‖δ_l‖]}.
 *   <li>Update: the gradient {@code m·δ_l·h_{l−1}ᵀ} is a sum of rank-one terms, so its spectral norm is
 *       {@code m‖δ_l‖‖h_{l−1}‖}. SGD: {@code [‖ΔW‖*] = [η_l] + [m] + [‖δ_l‖] + [‖h_{l−1}‖]}. Adam's update
 *       is sign-like, entries {@code ±η_l} of low stable rank, so {@code ‖ΔW‖* ≈ ‖ΔW‖_F = η_l√(fi·fo)}:
 *       {@code [‖ΔW‖*] = [η_l] + ([fi]+[fo])/2} — independent of the gradient's size. Normalized updates
 *       have {@code ‖ΔW‖* = η_l}. The effective update adds {@code [m]}, and
 *       {@code [dw_spec_ratio] = [‖m·ΔW‖*] − ([fo] − [fi])/2}.
 *   <li>Feature update: {@code Δh_l = ΔW_l·h_{l−1} + W_l·Δh_{l−1}}. The update's row space is spanned by
 *       the batch's inputs, which share the probe's dominant directions, and {@code Δh_{l−1}} lies in
 *       the span {@code W_lᵀδ_l} that backpropagation fed it; so both terms meet their spectral bounds
 *       ({@code ‖ΔW‖*‖h‖} and {@code ‖W‖*‖Δh‖}) up to constants, and
 *       {@code [‖Δh_l‖] = max([‖ΔW_l‖*] + [‖h_{l−1}‖], [‖W_l‖*] + [‖Δh_{l−1}‖])},
 *       {@code [rms_dh] = [‖Δh_l‖] − [fo]/2}.
 * </ol>
 *
 * <p>Outcome (input, hidden, output layer): {@code SPECTRAL} and {@code MUP} give exponent 0 for every
 * quantity and layer except {@code rms_h} of the logits ({@code −1/2}: a small output layer at
 * initialisation, as Tensor Programs V prescribes), for every optimizer — Condition 1 at work.
 * {@code STANDARD}: {@code rms_dh} −1/2, +1/2, +1 under SGD (the output blows up); 0, +1, +3/2 under
 * Adam (one global η with sign-like updates makes {@code ΔW·h} grow like fan-in); −1/2, 0, +1/2 under
 * normalized updates. {@code NTK}: −1/2, −1/2, 0 under SGD and normalized updates (hidden features
 * freeze: the kernel regime); 0, +1/2, +1 under Adam (the {@code 1/√fi} multiplier only halves the
 * fan-in growth). {@code dw_spec_ratio} follows the direct term of step 5.
 *
 * <p><b>What a finite experiment can judge.</b> The exponents are those of the first steps at small
 * learning rate. A predicted 0 is judged with a tolerance of ±0.10 (±0.15 for the output layer, whose
 * ten logits make a noisier RMS); a predicted growth or decay is judged by its sign and a margin of
 * 0.3, clear of the flat band's noise, without asking for the full exponent: a change that grows with
 * width soon leaves the linear regime (ReLUs switch, the softmax saturates), which bends the curve
 * toward 0 at the largest widths. For the same reason a growth predicted in a layer whose successor
 * also grows is not judged under SGD: the output's blow-up saturates the softmax, and the gradient
 * reaching the hidden layers shrinks with it (the default SGD coord check measures {@code +0.1} to
 * {@code +0.2} there instead of {@code +1/2}). Adam's sign-like updates do not see the gradient's
 * size, so there every prediction is judged.
 */
public final class Predictions {
  /** Tolerance on a predicted slope of 0 for input and hidden layers. */
  public static final double FLAT = 0.10;
  /** Tolerance on a predicted slope of 0 for the output layer (its RMS is over a few logits). */
  public static final double FLAT_OUTPUT = 0.15;
  /** A predicted growth (decay) is confirmed by a slope at least this far above (below) 0. */
  public static final double TREND = 0.3;
  /** Under {@code SPECTRAL}, {@code ‖W₀‖* / √(fo/fi)} of every layer lies in {@code [INIT_LOW, INIT_HIGH]}. */
  public static final double INIT_LOW = 0.9;
  /** See {@link #INIT_LOW}: {@code σ(√fi + √fo)/√(fo/fi) ∈ [1, 2]} plus the finite-size spread. */
  public static final double INIT_HIGH = 2.2;

  /** Widths at which the rules' exponents are read off: large enough that {@code min(1, …)} has settled. */
  private static final double N1 = 1 << 20;
  private static final double N2 = 1 << 24;
  /** The fixed input and output dimensions used to read the exponents (any fixed values give the same). */
  private static final int FIXED = 16;

  private Predictions() {}

  /**
   * The prediction for {@code quantity} of a layer of {@code role} under {@code p} trained by
   * {@code optimizer} (SGD without momentum or weight decay, Adam, or normalized updates).
   *
   * @return never null; {@link Prediction#predicted()} is false for a bias: it has no features of its
   *     own (its effect is in its layer's {@code rms_h}/{@code rms_dh}), starts at zero, and its update
   *     depends on the layer it belongs to, which a role does not say
   */
  public static Prediction of(Prediction.Quantity quantity, Parametrization p, Optimizer optimizer, LayerRole role) {
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(p, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(role, "role");
    if (role == LayerRole.BIAS) {
      return new Prediction(quantity, Double.NaN, Double.NaN, Double.NaN, switch (quantity) {
        case RMS_H, RMS_DH -> "a bias has no features of its own: its effect is in its layer's " + quantity.id();
        case W_SPEC_RATIO -> "a bias starts at zero";
        case DW_SPEC_RATIO -> "a bias's update depends on the layer it belongs to, which its role does not say";
      });
    }
    Chain c = new Chain(p, optimizer);
    int i = switch (role) {
      case INPUT -> 0;
      case HIDDEN -> 2; // the second hidden layer: a hidden layer fed by a hidden layer (the first is the same)
      case OUTPUT -> 3;
      case BIAS -> -1;
    };
    double slope = switch (quantity) {
      case RMS_H -> c.rmsH[i];
      case RMS_DH -> c.rmsDh[i].last();
      case W_SPEC_RATIO -> c.initRatio[i];
      case DW_SPEC_RATIO -> c.updateRatio[i];
    };
    boolean moves = quantity == Prediction.Quantity.RMS_DH || quantity == Prediction.Quantity.DW_SPEC_RATIO;
    if (moves && optimizer == Optimizer.SGD && slope > 0 && i < 3 && c.rmsDh[i + 1].last() > 0) {
      return new Prediction(quantity, slope, Double.NaN, Double.NaN, "grows like n^" + exponent(slope)
          + " at small steps, but under SGD the next layer's growth saturates the softmax and shrinks the gradient "
          + "reaching this one");
    }
    double tol = role == LayerRole.OUTPUT ? FLAT_OUTPUT : FLAT;
    if (quantity == Prediction.Quantity.RMS_DH) {
      NavigableSet<Double> paths = c.rmsDh[i];
      Double next = paths.lower(slope);
      if (next != null && slope - next < 1) {
        return new Prediction(quantity, slope, paths.first() - tol, slope + tol, "n^" + exponent(slope)
            + " asymptotically, but a path with n^" + exponent(next) + " is less than a power of n behind: a "
            + "finite-width slope lies between " + exponent(paths.first()) + " and " + exponent(slope));
      }
    }
    String what = slope == 0 ? "width-independent" : (slope > 0 ? "grows like n^" : "shrinks like n^") + exponent(slope);
    double low = slope == 0 ? -tol : slope > 0 ? TREND : Double.NEGATIVE_INFINITY;
    double high = slope == 0 ? tol : slope > 0 ? Double.POSITIVE_INFINITY : -TREND;
    return new Prediction(quantity, slope, low, high, what);
  }

  /**
   * The prediction for {@code quantity} of one parameter of {@code kind} in a model of width {@code n},
   * under {@code p}'s width-transfer rules for {@code optimizer} (the rules of a model scaled from a base
   * width, {@link ModelShape#rules(Parametrization, Optimizer, ModelShape)}; for matrices their exponents
   * are those of {@link Parametrization#rule}, for vectors they are the paper's fan-in-1 ones). The
   * parameter's input has RMS Θ(1) (behind a norm, or the chain's features: see the class comment),
   * and {@code rms_h}, {@code rms_dh} are about its own output {@code h = m·W·x}: {@code rms_dh} is the
   * change its own update makes, {@code m·ΔW·x} — what reaches it from earlier layers is the model's
   * business (the MLP's chain above, {@link TransformerPredictions}). Steps 1 and 4 of the class
   * comment per kind, with what each kind's input and norm are:
   *
   * <ul>
   *   <li>dense ({@code INPUT}, {@code HIDDEN}, {@code OUTPUT}, attention, {@code CONV} as the
   *       {@code c_out × c_in·kh·kw} matrix): as for the MLP's roles, and the same exponents;
   *   <li>{@code EMBEDDING}: the input is one-hot ({@code ‖x‖ = 1}), its norm the largest column 2-norm
   *       {@code σ√fo}, and Adam moves only the seen tokens' columns: {@code [‖ΔW‖] = [η_l] + [fo]/2};
   *   <li>{@code BIAS}, {@code NORM_GAIN}: the fan-in-1 matrix on the constant input 1 (a gain's
   *       {@code Δg ⊙ x̂} has the RMS of {@code Δg}, since {@code x̂} has entries Θ(1)), norm ℓ2: a bias
   *       starts at zero (no {@code rms_h}, no {@code w_spec_ratio}); a gain of ones has
   *       {@code ‖g‖₂/√fo = 1};
   *   <li>the gradient {@code δ} on the parameter's output, which only SGD's update follows: Θ(1) on the
   *       readout's logits; on a width-sized feature, the readout's backward gain
   *       {@code [σ_out] + [m_out] + [fi_out]/2} (hidden matrices in between have backward gain
   *       {@code [σ] + [m] + [fi]/2 = 0} under every parametrization); on an attention query (key),
   *       {@code δ_q = c·Σ_j (∂L/∂s_j)·k_j} with {@code ∂L/∂s_j ∝ δ_a·v_j} ({@code δ_a} the gradient on the
   *       attention's output): an inner product of independent vectors at initialisation,
   *       {@code [‖δ_a‖] + [RMS v]}, and of aligned ones once the values have taken a step along
   *       {@code δ_a}, {@code [‖δ_a‖] + [‖Δv‖]}; after a few steps the larger. So
   *       {@code [‖δ_q‖] = [c] + [‖δ_a‖] + max([RMS v], [‖Δv‖]) + [RMS k] + 1/2} ({@code c} the logit
   *       multiplier, head dimension ∝ n); a fused {@code ATTENTION_QKV} takes the largest of its three
   *       blocks'.
   * </ul>
   *
   * <p>Bands as for the roles: a predicted 0 within {@link #FLAT} ({@link #FLAT_OUTPUT} for the readout),
   * a growth or decay by its sign and {@link #TREND}.
   *
   * @param quantity what is measured
   * @param p the parametrization
   * @param optimizer the optimizer
   * @param kind the parameter's kind
   * @return never null; not predicted for a bias's {@code rms_h} and {@code w_spec_ratio} (it starts at
   *     zero)
   */
  public static Prediction of(Prediction.Quantity quantity, Parametrization p, Optimizer optimizer, ParameterKind kind) {
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(p, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(kind, "kind");
    PredictionScaling s = PredictionScaling.of(p, optimizer, kind);
    double delta = delta(p, optimizer, kind);
    double slope = switch (quantity) {
      case RMS_H -> s.rmsH();
      case RMS_DH -> s.rmsDhDirect(optimizer, delta);
      case W_SPEC_RATIO -> s.wSpecRatio();
      case DW_SPEC_RATIO -> s.dwSpecRatio(optimizer, delta);
    };
    if (Double.isNaN(slope)) {
      return new Prediction(quantity, Double.NaN, Double.NaN, Double.NaN, "a " + kind.id() + " starts at zero");
    }
    double tol = kind == ParameterKind.OUTPUT ? FLAT_OUTPUT : FLAT;
    String what = slope == 0 ? "width-independent" : (slope > 0 ? "grows like n^" : "shrinks like n^") + exponent(slope);
    double low = slope == 0 ? -tol : slope > 0 ? TREND : Double.NEGATIVE_INFINITY;
    double high = slope == 0 ? tol : slope > 0 ? Double.POSITIVE_INFINITY : -TREND;
    return new Prediction(quantity, slope, low, high, what);
  }

  /**
   * {@code [‖δ‖]}, the gradient on the output of a {@code kind} parameter (see
   * {@link #of(Prediction.Quantity, Parametrization, Optimizer, ParameterKind)}).
   */
  static double delta(Parametrization p, Optimizer o, ParameterKind kind) {
    if (kind == ParameterKind.OUTPUT) {
      return 0;
    }
    double feature = PredictionScaling.of(p, o, ParameterKind.OUTPUT).randomGain();
    return switch (kind) {
      case ATTENTION_QUERY, ATTENTION_KEY, ATTENTION_QKV -> {
        double attention = feature + PredictionScaling.of(p, o, ParameterKind.ATTENTION_OUTPUT).randomGain();
        PredictionScaling value = PredictionScaling.of(p, o, ParameterKind.ATTENTION_VALUE);
        // δ_a·v_j: independent at initialisation (‖δ_a‖·RMS v), aligned once v has taken a step (‖δ_a‖·‖Δv‖)
        double values = Math.max(value.rmsH(), value.rmsDhDirect(o, attention) + 0.5);
        double logits = PredictionScaling.logitMultiplier(p) + attention + values
            + PredictionScaling.of(p, o, kind == ParameterKind.ATTENTION_KEY
                ? ParameterKind.ATTENTION_QUERY : ParameterKind.ATTENTION_KEY).rmsH() + 0.5;
        yield kind == ParameterKind.ATTENTION_QKV ? Math.max(attention, logits) : logits;
      }
      case ATTENTION_VALUE -> feature + PredictionScaling.of(p, o, ParameterKind.ATTENTION_OUTPUT).randomGain();
      default -> feature;
    };
  }

  /**
   * Whether {@code p} puts the initial {@code ‖W₀‖ / √(fo/fi)} (in the kind's norm) of a {@code kind}
   * parameter in {@code [INIT_LOW, INIT_HIGH]}: only {@code SPECTRAL}, and not for a bias (it starts at
   * zero). A gain of ones has ratio exactly 1; an embedding's largest column norm is about
   * {@code σ√fo = √fo}; a fused {@code ATTENTION_QKV} holds the band per block (the stack of three
   * Gaussian blocks has norm {@code σ(√n + √(3n))}, 1.37 times a block's).
   *
   * @param p the parametrization
   * @param kind the parameter's kind
   * @return whether a verdict may hold the parameter's initial norm to the band
   */
  public static boolean initialNormBand(Parametrization p, ParameterKind kind) {
    Objects.requireNonNull(kind, "kind");
    return initialNormBand(p) && kind != ParameterKind.BIAS;
  }

  /**
   * Whether {@code p} is built to meet Desideratum 1 of arXiv 2310.17813 — every layer's features move
   * by Θ(1) at every width, so every {@code rms_dh} exponent is 0, under every optimizer: {@code SPECTRAL}
   * (its Parametrization 1) and {@code MUP} (Tensor Programs V). This is the paper's claim about the
   * parametrization, not something read off core's rules: a verdict holds the exponents derived from the
   * rules to it, so a wrong rule (which changes the derived exponent and the measurement alike) still
   * fails.
   *
   * @param p the parametrization
   * @return whether every {@code rms_dh} exponent must be 0
   */
  public static boolean promisesFeatureLearning(Parametrization p) {
    Objects.requireNonNull(p, "parametrization");
    return p == Parametrization.SPECTRAL || p == Parametrization.MUP;
  }

  /**
   * Whether {@code p} puts every layer's initial {@code ‖W₀‖* / √(fo/fi)} in {@code [INIT_LOW, INIT_HIGH]}:
   * only {@code SPECTRAL}, whose {@code σ = (1/√fi)·min(1, √(fo/fi))} is built for it ({@code MUP}'s
   * output layer sits near {@code 1/√C} instead).
   */
  public static boolean initialNormBand(Parametrization p) {
    return p == Parametrization.SPECTRAL;
  }

  /**
   * The exponent {@code a} of the best base learning rate {@code η* ∝ n^−a} of an MLP as its hidden width
   * {@code n} grows ({@code NaN} where none is predicted). {@code SPECTRAL}, {@code MUP}: 0 — the point
   * of Condition 1 (μTransfer). {@code STANDARD}: the largest growth of a feature update per unit of η
   * (step 5 of the class comment) sets the largest stable η, so {@code a} is the largest hidden-layer
   * {@code rms_dh} exponent that is a layer's own (direct) term: 1 under SGD (the output layer,
   * {@code ΔW·h ∝ η·n}) and Adam (every hidden layer, sign-like updates), 1/2 under normalized updates
   * (the output layer, {@code ‖ΔW‖*·‖h‖ ∝ η·√n}). {@code NTK}: none — its hidden updates shrink while its
   * output's do not, so the best η trades one against the other with no single exponent.
   */
  public static double optimalLearningRateExponent(Parametrization p, Optimizer optimizer) {
    Objects.requireNonNull(p, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    return switch (p) {
      case SPECTRAL, MUP -> 0;
      case NTK -> Double.NaN;
      case STANDARD -> optimizer == Optimizer.NORMALIZED ? 0.5 : 1;
    };
  }

  static String exponent(double a) {
    return a == Math.rint(a) ? String.valueOf((long) a) : a * 2 == Math.rint(a * 2) ? (long) (a * 2) + "/2"
        : String.valueOf(a);
  }

  /** Steps 1–5 of the class comment along the chain input → hidden → hidden → output. */
  private static final class Chain {
    final double[] rmsH = new double[4];
    /** Per layer, the exponents of {@code RMS(Δh)} along every path an update reaches it by (step 5). */
    @SuppressWarnings("unchecked")
    final NavigableSet<Double>[] rmsDh = new NavigableSet[4];
    final double[] initRatio = new double[4];
    final double[] updateRatio = new double[4];

    Chain(Parametrization p, Optimizer o) {
      LayerRole[] roles = {LayerRole.INPUT, LayerRole.HIDDEN, LayerRole.HIDDEN, LayerRole.OUTPUT};
      Scaling[] s = new Scaling[4];
      for (int l = 0; l < 4; l++) {
        s[l] = new Scaling(p, o, roles[l]);
      }
      // forward at initialisation; the input has RMS Θ(1), fixed dimension
      double h = 0; // [RMS(h_{l−1})]
      double[] hNorm = new double[4]; // [‖h_{l−1}‖], the layer's input
      for (int l = 0; l < 4; l++) {
        hNorm[l] = h + s[l].fi / 2;
        h = s[l].sigma + s[l].m + s[l].fi / 2 + h;
        rmsH[l] = h;
        initRatio[l] = s[l].weightNorm() - (s[l].fo - s[l].fi) / 2;
      }
      // backward at initialisation: the gradient on the logits is Θ(1)
      double[] delta = new double[4]; // [‖δ_l‖], gradient on layer l's output
      for (int l = 3; l > 0; l--) {
        delta[l - 1] = s[l].sigma + s[l].m + s[l].fi / 2 + delta[l];
      }
      NavigableSet<Double> dh = new TreeSet<>(); // [‖Δh_{l−1}‖] per path; the input is fixed
      for (int l = 0; l < 4; l++) {
        double update = s[l].m + switch (o) {
          case SGD -> s[l].lr + s[l].m + delta[l] + hNorm[l];
          case ADAM -> s[l].lr + (s[l].fi + s[l].fo) / 2;
          case NORMALIZED -> s[l].lr;
        };
        updateRatio[l] = update - (s[l].fo - s[l].fi) / 2;
        NavigableSet<Double> next = new TreeSet<>();
        next.add(update + hNorm[l]);
        for (double q : dh) {
          next.add(s[l].weightNorm() + q);
        }
        dh = next;
        rmsDh[l] = new TreeSet<>();
        for (double q : dh) {
          rmsDh[l].add(q - s[l].fo / 2);
        }
      }
    }
  }

  /** Exponents in {@code n} of one role's fans and of its rule's σ, forward and learning-rate multipliers. */
  private static final class Scaling {
    final double fi;
    final double fo;
    final double sigma;
    final double m;
    final double lr;

    Scaling(Parametrization p, Optimizer o, LayerRole role) {
      LayerRule r1 = p.rule(layer(role, N1), o);
      LayerRule r2 = p.rule(layer(role, N2), o);
      fi = role == LayerRole.HIDDEN || role == LayerRole.OUTPUT ? 1 : 0;
      fo = role == LayerRole.OUTPUT ? 0 : 1;
      sigma = exponent(r1.initStd(), r2.initStd());
      m = exponent(r1.forwardMultiplier(), r2.forwardMultiplier());
      lr = exponent(r1.learningRateMultiplier(), r2.learningRateMultiplier());
    }

    /** {@code [‖m·W‖*] = [σ] + [m] + max([fi], [fo])/2}. */
    double weightNorm() {
      return sigma + m + Math.max(fi, fo) / 2;
    }

    private static Layer layer(LayerRole role, double n) {
      int w = (int) n;
      return switch (role) {
        case INPUT -> new Layer("in", FIXED, w, role);
        case HIDDEN -> new Layer("hidden", w, w, role);
        case OUTPUT -> new Layer("out", w, FIXED, role);
        case BIAS -> throw new IllegalArgumentException("no exponents for a bias");
      };
    }

    /** The exponent of {@code v ∝ n^a} from its values at N1 and N2, to the nearest quarter. */
    private static double exponent(double v1, double v2) {
      double a = Math.log(v2 / v1) / Math.log(N2 / N1);
      return Math.rint(a * 4) / 4;
    }
  }
}
