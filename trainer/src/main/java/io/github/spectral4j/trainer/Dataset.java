package io.github.spectral4j.trainer;

import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An immutable labelled dataset of {@code size} examples {@code x_i ∈ ℝ^{inputDim}} with class labels
 * in {@code [0, classes)}. Sources: the bundled MNIST-10k (pixels scaled to [0, 1]), any pair of IDX
 * files (plain or gzipped), and a synthetic teacher network. Batches are fresh copies.
 */
public final class Dataset {
  private static final String MNIST_IMAGES = "data/mnist-10k-images-idx3-ubyte.gz";
  private static final String MNIST_LABELS = "data/mnist-10k-labels-idx1-ubyte.gz";

  private final String name;
  private final int size;
  private final int inputDim;
  private final int classes;
  private final float[] inputs;
  private final int[] labels;
  /** Lazily computed {@link #fingerprint()}; the content never changes. */
  private volatile String fingerprint;

  private Dataset(String name, int size, int inputDim, int classes, float[] inputs, int[] labels) {
    this.name = name;
    this.size = size;
    this.inputDim = inputDim;
    this.classes = classes;
    this.inputs = inputs;
    this.labels = labels;
  }

  private static final class Mnist {
    static final Dataset INSTANCE = load();

    private static Dataset load() {
      try (InputStream images = open(MNIST_IMAGES);
          InputStream labels = open(MNIST_LABELS)) {
        return fromIdx(
            "mnist",
            Idx.read("bundled " + MNIST_IMAGES, images, Idx.IMAGES),
            "bundled " + MNIST_IMAGES,
            Idx.read("bundled " + MNIST_LABELS, labels, Idx.LABELS),
            "bundled " + MNIST_LABELS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static InputStream open(String resource) throws IOException {
      InputStream in = Dataset.class.getResourceAsStream(resource);
      if (in == null) {
        throw new IOException("bundled resource " + resource + " is missing");
      }
      return in;
    }
  }

  /** The bundled MNIST-10k: 10,000 digits of 28×28 = 784 pixels scaled to [0, 1], 10 classes. */
  public static Dataset mnist10k() {
    return Mnist.INSTANCE;
  }

  /**
   * Reads an IDX image file ({@code n × rows × cols} unsigned bytes, scaled to [0, 1]) and its label
   * file ({@code n} bytes); either may be gzipped.
   *
   * @throws IllegalArgumentException naming the file if it is corrupt, truncated, has the wrong magic,
   *     or the two counts differ
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static Dataset idx(Path images, Path labels) {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    return fromIdx(
        String.valueOf(images.getFileName()),
        Idx.read(images, Idx.IMAGES),
        images.toString(),
        Idx.read(labels, Idx.LABELS),
        labels.toString());
  }

  private static Dataset fromIdx(
      String name, Idx.Content images, String imagesName, Idx.Content labels, String labelsName) {
    int n = images.sizes()[0];
    if (labels.sizes()[0] != n) {
      throw new IllegalArgumentException(
          "image/label count mismatch: " + imagesName + " has " + n + " images but " + labelsName
              + " has " + labels.sizes()[0] + " labels");
    }
    int dim = images.sizes()[1] * images.sizes()[2];
    float[] x = new float[images.data().length];
    byte[] raw = images.data();
    for (int i = 0; i < x.length; i++) {
      x[i] = (raw[i] & 0xff) / 255f;
    }
    int[] y = new int[n];
    int max = 0;
    for (int i = 0; i < n; i++) {
      y[i] = labels.data()[i] & 0xff;
      max = Math.max(max, y[i]);
    }
    return new Dataset(name, n, dim, max + 1, x, y);
  }

  /**
   * A synthetic classification task: inputs {@code x ~ N(0, I)} and labels {@code argmax f(x)} of a
   * fixed random teacher MLP {@code f} ({@code inputDim → 64 → classes}, tanh, standard
   * parametrization). Everything is drawn from {@code seed}.
   *
   * @throws IllegalArgumentException if a size is &lt; 1 or {@code classes < 2}
   */
  public static Dataset teacher(int inputDim, int classes, int size, long seed) {
    if (inputDim < 1 || size < 1 || classes < 2) {
      throw new IllegalArgumentException(
          "teacher dataset needs inputDim >= 1, classes >= 2, size >= 1; got inputDim=" + inputDim
              + ", classes=" + classes + ", size=" + size);
    }
    SplittableRandom random = new SplittableRandom(seed);
    FloatMatrix x = FloatMatrix.gaussian(size, inputDim, 1.0, random.nextLong());
    ModelShape shape = ModelShape.of(new int[] {inputDim, 64, classes}, true);
    Mlp teacher =
        Mlp.initialize(
            shape, Activation.TANH, shape.rules(Parametrization.STANDARD, Optimizer.SGD), random.nextLong());
    int[] y = new int[size];
    int chunk = 1024;
    for (int from = 0; from < size; from += chunk) {
      int count = Math.min(chunk, size - from);
      float[] part = new float[count * inputDim];
      System.arraycopy(x.data(), from * inputDim, part, 0, part.length);
      FloatMatrix logits = teacher.forward(FloatMatrix.wrap(count, inputDim, part));
      argmax(logits, y, from);
    }
    return new Dataset("teacher", size, inputDim, classes, x.data(), y);
  }

  static void argmax(FloatMatrix logits, int[] out, int offset) {
    int n = logits.cols();
    float[] z = logits.data();
    for (int i = 0; i < logits.rows(); i++) {
      int best = 0;
      for (int j = 1; j < n; j++) {
        if (z[i * n + j] > z[i * n + best]) {
          best = j;
        }
      }
      out[offset + i] = best;
    }
  }

  /**
   * A SHA-256 over the examples in order (input dimension, count, then each input's float bits and its
   * label), in hex: two datasets with the same fingerprint train identically. A checkpoint records the
   * training set's, and resuming on other data is refused.
   *
   * @return 64 hex digits
   */
  public String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      java.security.MessageDigest sha;
      try {
        sha = java.security.MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 + 4 * (inputDim + 1));
      buf.putInt(inputDim).putInt(size);
      sha.update(buf.array(), 0, 8);
      for (int i = 0; i < size; i++) {
        buf.clear();
        for (int j = 0; j < inputDim; j++) {
          buf.putInt(Float.floatToRawIntBits(inputs[i * inputDim + j]));
        }
        buf.putInt(labels[i]);
        sha.update(buf.array(), 0, buf.position());
      }
      f = Checkpoint.hex(sha.digest());
      fingerprint = f;
    }
    return f;
  }

  /** A short name: {@code mnist}, {@code teacher}, or the image file's name. */
  public String name() {
    return name;
  }

  /** Number of examples. */
  public int size() {
    return size;
  }

  /** Dimension {@code d_0} of an input. */
  public int inputDim() {
    return inputDim;
  }

  /** Number of classes (largest label + 1 for IDX data). */
  public int classes() {
    return classes;
  }

  /** The label of example {@code i}. */
  public int label(int i) {
    return labels[Objects.checkIndex(i, size)];
  }

  /**
   * The examples at {@code indices}, in that order, as a fresh batch.
   *
   * @param indices at least one index in {@code [0, size)}; not modified
   */
  public Batch batch(int[] indices) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("a batch needs at least one index");
    }
    FloatMatrix x = FloatMatrix.zeros(indices.length, inputDim);
    int[] y = new int[indices.length];
    fill(indices, x, y);
    return new Batch(x, y);
  }

  /** Copies the examples at {@code indices} into {@code x} and {@code y} (both modified). */
  void fill(int[] indices, FloatMatrix x, int[] y) {
    fill(indices, 0, indices.length, x, y);
  }

  /** As {@link #fill(int[], FloatMatrix, int[])} for rows [from, to) only (a share of a split fill). */
  void fill(int[] indices, int from, int to, FloatMatrix x, int[] y) {
    float[] d = x.data();
    for (int r = from; r < to; r++) {
      int i = Objects.checkIndex(indices[r], size);
      System.arraycopy(inputs, i * inputDim, d, r * inputDim, inputDim);
      y[r] = labels[i];
    }
  }

  /** The {@code count} consecutive examples starting at {@code from}, as a fresh batch. */
  public Batch range(int from, int count) {
    checkRange(from, count);
    float[] x = new float[count * inputDim];
    System.arraycopy(inputs, from * inputDim, x, 0, x.length);
    int[] y = new int[count];
    System.arraycopy(labels, from, y, 0, count);
    return new Batch(FloatMatrix.wrap(count, inputDim, x), y);
  }

  /** The {@code count} consecutive examples starting at {@code from}, as a dataset (e.g. a test split). */
  public Dataset subset(int from, int count) {
    checkRange(from, count);
    Batch b = range(from, count);
    return new Dataset(name, count, inputDim, classes, b.inputs().data(), b.labels());
  }

  private void checkRange(int from, int count) {
    if (count < 1 || from < 0 || (long) from + count > size) {
      throw new IllegalArgumentException(
          "range from " + from + " count " + count + " is outside the dataset of " + size + " examples");
    }
  }

  @Override
  public String toString() {
    return "Dataset[" + name + ", " + size + " examples, " + inputDim + " inputs, " + classes + " classes]";
  }
}
