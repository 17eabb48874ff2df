package io.github.spectral4j.core;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a parameter of a network is, which decides how its fan-in and fan-out are read from its shape
 * and which operator norm its rule controls. Shapes are PyTorch's: a dense matrix {@code [out, in]}
 * ({@code nn.Linear}; HF's {@code Conv1D} stores {@code [in, out]}, see {@link ParameterSpec#transposed()}),
 * an embedding {@code [vocab, width]}, a convolution {@code [c_out, c_in, kh, kw]}, a vector {@code [n]}.
 *
 * <ul>
 *   <li>{@link #INPUT}, {@link #HIDDEN}, {@link #OUTPUT}: dense matrices, Condition 1 of arXiv 2310.17813
 *       in the spectral (RMS→RMS) norm, {@code ‖W‖* = Θ(√(fo/fi))}. {@code OUTPUT} is the readout
 *       (unembedding, classifier head).
 *   <li>{@link #BIAS}, {@link #NORM_GAIN}: vectors ({@code Linear}/{@code LayerNorm} bias;
 *       {@code LayerNorm}/{@code RMSNorm} weight). A vector is the paper's fan-in-1 matrix acting on the
 *       constant input 1; its constants come from the weight it belongs to (see {@link ModelShape}).
 *   <li>{@link #EMBEDDING}: a lookup of one-hot inputs (token or position embedding). A one-hot input
 *       has ℓ2 norm 1, not √fi, so the right norm is ℓ1→RMS (each column of {@code W = Eᵀ}, each row of
 *       {@code E}, has RMS Θ(1) whatever the vocabulary): the dense rules with effective fan-in 1.
 *   <li>{@link #ATTENTION_QUERY}, {@link #ATTENTION_KEY}, {@link #ATTENTION_VALUE},
 *       {@link #ATTENTION_OUTPUT}: hidden matrices (Tensor Programs V); the logit multiplier is
 *       {@link Parametrization#attentionLogitMultiplier(int, int)}. {@link #ATTENTION_QKV} is the three
 *       stacked along the output ({@code [3·d, d]}, GPT-2's {@code c_attn}): its rules are those of one
 *       block, fan-out {@code fo/3}.
 *   <li>{@link #CONV}: {@code [c_out, c_in, kh, kw]}, fan-in {@code c_in·kh·kw}, fan-out {@code c_out}:
 *       the spectral norm of the kernel reshaped to {@code c_out × (c_in·kh·kw)}, which bounds the
 *       convolution's RMS→RMS gain (per output position).
 * </ul>
 */
public enum ParameterKind {
  INPUT(2, LayerRole.INPUT),
  HIDDEN(2, LayerRole.HIDDEN),
  OUTPUT(2, LayerRole.OUTPUT),
  BIAS(1, LayerRole.BIAS),
  NORM_GAIN(1, LayerRole.BIAS),
  EMBEDDING(2, LayerRole.INPUT),
  ATTENTION_QUERY(2, LayerRole.HIDDEN),
  ATTENTION_KEY(2, LayerRole.HIDDEN),
  ATTENTION_VALUE(2, LayerRole.HIDDEN),
  ATTENTION_OUTPUT(2, LayerRole.HIDDEN),
  ATTENTION_QKV(2, LayerRole.HIDDEN),
  CONV(4, LayerRole.HIDDEN);

  private final int rank;
  private final LayerRole role;

  ParameterKind(int rank, LayerRole role) {
    this.rank = rank;
    this.role = role;
  }

  /** Number of dimensions of this kind's PyTorch shape: 1 for vectors, 2 for matrices, 4 for a conv. */
  public int rank() {
    return rank;
  }

  /**
   * The role this kind plays when nothing says how its dimensions scale (no base model): how μP treats
   * it. With a base model the role is inferred from which dimensions change (see {@link ModelShape}).
   */
  public LayerRole defaultRole() {
    return role;
  }

  /** Whether this kind is a vector ({@code BIAS}, {@code NORM_GAIN}): one dimension, fan-in 1. */
  public boolean vectorLike() {
    return rank == 1;
  }

  /** Whether this kind may be stored {@code [in, out]} (a rank-2 matrix other than an embedding). */
  public boolean orientable() {
    return rank == 2 && this != EMBEDDING;
  }

  /**
   * The operator norm this kind's targets are stated in: {@code "spectral"} (ℓ2→ℓ2, for matrices and
   * reshaped convolutions), {@code "l1-to-l2"} (largest column 2-norm, for embeddings of one-hot
   * inputs), {@code "l2"} (a vector's 2-norm).
   */
  public String norm() {
    return switch (this) {
      case BIAS, NORM_GAIN -> "l2";
      case EMBEDDING -> "l1-to-l2";
      default -> "spectral";
    };
  }

  /** The lower-case name used in model files and by {@code plan --help}, e.g. {@code norm_gain}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every kind's {@link #id()}, comma-separated, in declaration order. */
  public static String ids() {
    return String.join(", ", Arrays.stream(values()).map(ParameterKind::id).toList());
  }

  /**
   * Parses a name case-insensitively ({@code hidden}, {@code norm_gain}, {@code attention_qkv}, …).
   *
   * @param name the kind's id
   * @return the kind
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static ParameterKind parse(String name) {
    return Names.parse(ParameterKind.class, name, "parameter kind");
  }
}
