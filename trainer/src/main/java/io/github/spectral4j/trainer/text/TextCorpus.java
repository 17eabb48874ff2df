package io.github.spectral4j.trainer.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * A corpus of text samples as a character-level language-modelling task with bytes as tokens: the
 * vocabulary is the 128 ASCII byte values, and a byte of 128 or more is refused (naming its offset)
 * rather than mapped, because mapping would silently change the data (the bundled Brown corpus has
 * none: its 85 distinct bytes are all below 126). Samples are separated by a blank line; sample
 * {@code i} (from 0) is <em>held out</em> when {@code i mod 10 = 9}, so one sample in ten is held out.
 * The split is by sample, not by line or byte, because a Brown sample is one text of about 2,000
 * words: a held-out sample shares no sentence, name or topic thread with the training text, while
 * holding out every tenth paragraph would leave its neighbours from the same text in training; and
 * because the samples are ordered by genre, every tenth one puts every genre on both sides (the last
 * 10 % of the bytes would hold out only learned prose and fiction). Each side's {@link TokenStream} is
 * its samples in order, each followed by the blank line that separated it. Immutable.
 */
public final class TextCorpus {
  /** Tokens are byte values {@code 0 … 127}. */
  public static final int VOCABULARY = 128;
  /** Sample {@code i} is held out when {@code i mod HELD_OUT_EVERY = HELD_OUT_EVERY − 1}. */
  public static final int HELD_OUT_EVERY = 10;

  private static final String BROWN_RESOURCE = "/io/github/spectral4j/trainer/data/brown/brown.txt.gz";
  /** Size and SHA-256 of the bundled text, from its README: a damaged resource is refused, not trained on. */
  static final int BROWN_BYTES = 5_970_027;

  static final String BROWN_SHA256 = "86cc2c95938afbc0fce3e432214880983f6afaaef2806e849a924b4156d81e81";

  private final String name;
  private final String sha256;
  private final int samples;
  private final TokenStream train;
  private final TokenStream heldOut;

  private TextCorpus(String name, String sha256, int samples, TokenStream train, TokenStream heldOut) {
    this.name = name;
    this.sha256 = sha256;
    this.samples = samples;
    this.train = train;
    this.heldOut = heldOut;
  }

  private static final class Brown {
    static final TextCorpus INSTANCE = load();

    private static TextCorpus load() {
      try (InputStream raw = TextCorpus.class.getResourceAsStream(BROWN_RESOURCE)) {
        if (raw == null) {
          throw new IllegalStateException("bundled resource " + BROWN_RESOURCE + " is missing");
        }
        byte[] text;
        try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
          text = in.readNBytes(BROWN_BYTES + 1); // one more than expected, to notice a longer text
        }
        if (text.length != BROWN_BYTES) {
          throw new IllegalStateException(
              "bundled " + BROWN_RESOURCE + " holds " + text.length + " bytes, expected " + BROWN_BYTES);
        }
        TextCorpus corpus = of("brown", text);
        if (!corpus.sha256.equals(BROWN_SHA256)) {
          throw new IllegalStateException(
              "bundled " + BROWN_RESOURCE + " has SHA-256 " + corpus.sha256 + ", expected " + BROWN_SHA256);
        }
        return corpus;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read bundled " + BROWN_RESOURCE + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * The bundled Brown corpus (Francis and Kučera, 1964/1979; see its README beside the resource): 500
   * samples, 5,970,027 bytes; 450 samples (5,370,056 tokens) for training and 50 (599,971) held out.
   * Loaded once and checked against its SHA-256.
   */
  public static TextCorpus brown() {
    return Brown.INSTANCE;
  }

  /**
   * A corpus of the samples in {@code text}, separated by blank lines: a sample ends with the newline
   * that is followed by another newline, and the next one starts after that second newline.
   *
   * @param name a short name, e.g. for reports
   * @param text at least one byte, every byte below 128; not modified
   * @throws IllegalArgumentException naming the offset and value of a byte of 128 or more, or if
   *     {@code text} is empty
   */
  public static TextCorpus of(String name, byte[] text) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    if (text.length == 0) {
      throw new IllegalArgumentException("corpus " + name + " is empty");
    }
    for (int i = 0; i < text.length; i++) {
      if (text[i] < 0) {
        throw new IllegalArgumentException(
            "corpus " + name + " has byte " + (text[i] & 0xff) + " at offset " + i + ", outside the vocabulary of "
                + VOCABULARY + " (ASCII)");
      }
    }
    // Two passes over the sample boundaries: sizes first, so each side is allocated once, exactly.
    int samples = 0;
    long heldOutLength = 0;
    long trainLength = 0;
    for (int start = 0; start < text.length; ) {
      int end = sampleEnd(text, start);
      long length = end - start + (end < text.length ? 1 : 0); // with its separating blank line
      if (samples % HELD_OUT_EVERY == HELD_OUT_EVERY - 1) {
        heldOutLength += length;
      } else {
        trainLength += length;
      }
      samples++;
      start = end + 1;
    }
    byte[] train = new byte[Math.toIntExact(trainLength)];
    byte[] heldOut = new byte[Math.toIntExact(heldOutLength)];
    int t = 0;
    int h = 0;
    int index = 0;
    for (int start = 0; start < text.length; index++) {
      int end = sampleEnd(text, start);
      int length = Math.min(end + 1, text.length) - start;
      if (index % HELD_OUT_EVERY == HELD_OUT_EVERY - 1) {
        System.arraycopy(text, start, heldOut, h, length);
        h += length;
      } else {
        System.arraycopy(text, start, train, t, length);
        t += length;
      }
      start = end + 1;
    }
    return new TextCorpus(name, sha256(text), samples, new TokenStream(train), new TokenStream(heldOut));
  }

  /**
   * The exclusive end of the sample starting at {@code start}: one past the newline that is followed by
   * another newline, or the end of the text. The sample is never empty.
   */
  private static int sampleEnd(byte[] text, int start) {
    for (int i = start; i + 1 < text.length; i++) {
      if (text[i] == '\n' && text[i + 1] == '\n') {
        return i + 1;
      }
    }
    return text.length;
  }

  private static String sha256(byte[] text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** The corpus's name, {@code brown} for the bundled one. */
  public String name() {
    return name;
  }

  /** The SHA-256 of the whole text in lower-case hex: a fingerprint of the data, e.g. for a checkpoint. */
  public String sha256() {
    return sha256;
  }

  /** The number of samples. */
  public int samples() {
    return samples;
  }

  /** The number of held-out samples, {@code ⌊samples/10⌋}. */
  public int heldOutSamples() {
    return samples / HELD_OUT_EVERY;
  }

  /** The training samples as one token stream. */
  public TokenStream train() {
    return train;
  }

  /** The held-out samples (every tenth) as one token stream; empty for fewer than ten samples. */
  public TokenStream heldOut() {
    return heldOut;
  }

  @Override
  public String toString() {
    return "TextCorpus[" + name + ", " + samples + " samples, " + train.length() + " training and "
        + heldOut.length() + " held-out tokens]";
  }
}
