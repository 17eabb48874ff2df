package io.github.spectral4j.bench;

import io.github.spectral4j.trainer.nn.Gpt;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.optim.AdamW;
import io.github.spectral4j.trainer.text.TextCorpus;
import io.github.spectral4j.trainer.text.TokenBatches;
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
 * One AdamW training step of the character-level {@link Gpt} ({@link GptConfig#of} at {@code width}: 2
 * pre-norm blocks of 4-head causal attention and a 4×width GELU MLP, RMSNorm, learned positions, separate
 * unembedding, vocabulary 128) on {@code batch} windows of 64 tokens of the bundled Brown corpus: the
 * batch ({@link TokenBatches#fill}), forward, cross-entropy, backward and {@link AdamW#step} (η = 2⁻⁸, no
 * decay), with {@code threads} GEMM threads. {@link Report} puts it beside the PyTorch peer of the same
 * model ({@code bench/peers/peers.py gpt}) on as many cores; the bar is ≤ 0.75 × PyTorch's time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class GptStepBenchmark {
  @Param({"512"})
  public int width;

  /** Sequences per batch, each of the config's context (64 tokens). */
  @Param({"16"})
  public int batch;

  /** Threads of the simd GEMM (Blas.setParallelism). */
  @Param({"1"})
  public int threads;

  private Gpt gpt;
  private AdamW optimizer;
  private TokenBatches batches;
  private int[] inputs;
  private int[] targets;
  private long step;

  @Setup(Level.Trial)
  public void setUp() {
    Kernels.init(threads);
    GptConfig config = GptConfig.of(width);
    gpt = Gpt.initialize(config, 1);
    optimizer = new AdamW(gpt.parameters(), 0x1p-8, 0);
    batches = new TokenBatches(TextCorpus.brown().train(), batch, config.context(), 1);
    inputs = new int[batch * config.context()];
    targets = new int[batch * config.context()];
    System.out.println(System.lineSeparator() + "# GptStep " + config + ", batch " + batch + ", " + optimizer);
  }

  @Benchmark
  public double step() {
    batches.fill(step++, inputs, targets);
    double loss = gpt.forwardBackward(inputs, targets);
    optimizer.step();
    if (!Double.isFinite(loss)) {
      throw new IllegalStateException("GPT loss became " + loss + " at step " + step);
    }
    return loss;
  }
}
