package io.github.spectral4j.trainer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A checkpoint file that proves what it holds: named sections (each model module and each optimizer
 * writes its own) inside an envelope of magic, format version, a table of contents and a CRC32C over
 * every byte of the file. Reading verifies the checksum over the whole file before a single value is
 * parsed, so a corrupted length or dimension can never drive an allocation, and CRC32C detects every
 * single-bit flip and every burst of up to 32 bits.
 *
 * <p>Layout (big-endian): {@code "S4JC"}, format {@code 3}, the sections' bytes back to back, the table
 * of contents (kind, count, then name, offset, length per section), a 20-byte trailer (offset and length
 * of the table, {@code "S4JE"}, and the CRC32C of all bytes before it). Sections are written straight
 * to the file (nothing is buffered in memory) and the file appears atomically ({@link AtomicFiles}).
 *
 * <pre>{@code
 * Checkpoint.writer("mlp")
 *     .section("config", out -> out.writeUTF(name))
 *     .section("model/W1", out -> out.writeFloats(w))
 *     .write(path);
 * try (Checkpoint c = Checkpoint.open(path, "mlp")) {
 *   String name = c.read("config", in -> in.readUTF());
 *   c.read("model/W1", in -> in.readFloats(w, "W1"));   // w is modified
 * }
 * }</pre>
 *
 * Errors are {@link IllegalArgumentException}s whose message is one line naming the file and what is
 * wrong (checksum, format version, kind, data, a missing section), or {@link UncheckedIOException} for
 * a missing or unreadable file. Format 1 files (before this envelope) are refused as "written by an
 * older format 1".
 */
public final class Checkpoint implements Closeable {
  /** The format this class writes and reads. */
  public static final int FORMAT = 3;

  private static final int MAGIC = 0x53344A43; // "S4JC", also format 1's
  private static final int END = 0x53344A45; // "S4JE"
  private static final int TRAILER = 20;
  private static final int MAX_SECTIONS = 1 << 16;
  /** Section that records the training data's fingerprint ({@link Writer#data}). */
  private static final String DATA_SECTION = "data";

  private final Path file;
  private final FileChannel channel;
  private final String kind;
  private final Map<String, long[]> sections; // name → {offset, length}

  private Checkpoint(Path file, FileChannel channel, String kind, Map<String, long[]> sections) {
    this.file = file;
    this.channel = channel;
    this.kind = kind;
    this.sections = sections;
  }

  /** Writes one section's content. */
  @FunctionalInterface
  public interface SectionWriter {
    /**
     * Writes the section.
     *
     * @param out the section's stream; closed by the caller
     * @throws IOException if writing fails
     */
    void write(Output out) throws IOException;
  }

  /**
   * Reads one section's content.
   *
   * @param <T> what the section decodes to
   */
  @FunctionalInterface
  public interface SectionReader<T> {
    /**
     * Reads the section.
     *
     * @param in the section's bytes (exactly them: reading past the end is an {@link EOFException})
     * @return the decoded value, or {@code null}
     * @throws IOException if reading fails; a {@link Corrupt} or {@link IllegalArgumentException} for
     *     content that does not fit
     */
    T read(Input in) throws IOException;
  }

  /** Thrown by a {@link SectionReader} for content that does not fit; the file and section are added. */
  public static final class Corrupt extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A description of what does not fit.
     *
     * @param message what is wrong, e.g. "W2 has 320 values, expected 25088"
     */
    public Corrupt(String message) {
      super(message);
    }
  }

  /** A section's output: a {@link DataOutputStream} with length-prefixed arrays. */
  public static final class Output extends DataOutputStream {
    Output(OutputStream out) {
      super(out);
    }

    /**
     * Writes the length (−1 for {@code null}) and the values.
     *
     * @param values not modified; may be {@code null}
     * @throws IOException if writing fails
     */
    public void writeFloats(float[] values) throws IOException {
      Checkpoints.writeFloats(this, values);
    }

    /**
     * Writes the length (−1 for {@code null}) and the values.
     *
     * @param values not modified; may be {@code null}
     * @throws IOException if writing fails
     */
    public void writeInts(int[] values) throws IOException {
      Checkpoints.writeInts(this, values);
    }
  }

  /** A section's input: a {@link DataInputStream} over exactly the section's verified bytes. */
  public static final class Input extends DataInputStream {
    Input(InputStream in) {
      super(in);
    }

    /**
     * Reads values written by {@link Output#writeFloats} into {@code target}.
     *
     * @param target modified; must have the stored length ({@code null} when {@code null} was stored)
     * @param what names the array in the error message
     * @throws Corrupt if the stored length differs
     * @throws IOException if reading fails
     */
    public void readFloats(float[] target, String what) throws IOException {
      Checkpoints.readFloats(this, target, what);
    }

    /**
     * Reads an array written by {@link Output#writeInts}.
     *
     * @param what names the array in the error message
     * @param maxLength the longest array that makes sense here
     * @return the values, or {@code null} if {@code null} was stored
     * @throws Corrupt if the stored length is negative (other than −1) or above {@code maxLength}
     * @throws IOException if reading fails
     */
    public int[] readInts(String what, int maxLength) throws IOException {
      return Checkpoints.readInts(this, what, maxLength);
    }
  }

  /**
   * Starts a checkpoint of the given kind (e.g. {@code "mlp"}, {@code "gpt"}); nothing is written
   * until {@link Writer#write}.
   *
   * @param kind what the file holds; {@link #open(Path, String)} refuses another kind
   * @return a writer to add sections to
   */
  public static Writer writer(String kind) {
    return new Writer(kind);
  }

  /** Collects named sections, then writes them in the order added. Not thread-safe. */
  public static final class Writer {
    private final String kind;
    private final Map<String, SectionWriter> sections = new LinkedHashMap<>();

    private Writer(String kind) {
      this.kind = checkName(kind, "kind");
    }

    /**
     * Adds a section, written when {@link #write} runs (so {@code content} sees the state of that
     * moment).
     *
     * @param name unique within the file; printable, at most 200 characters
     * @param content writes the section
     * @return this writer
     * @throws IllegalArgumentException if the name is taken or unusable
     */
    public Writer section(String name, SectionWriter content) {
      checkName(name, "section name");
      Objects.requireNonNull(content, "content");
      if (sections.putIfAbsent(name, content) != null) {
        throw new IllegalArgumentException("checkpoint section '" + name + "' is added twice");
      }
      return this;
    }

    /**
     * Adds the standard {@code data} section: what the run trained on, checked by
     * {@link Checkpoint#requireData} when resuming.
     *
     * @param description e.g. "mnist (9000 examples of dimension 784)"
     * @param fingerprint a hash of the examples actually used, e.g. {@link Dataset#fingerprint()}
     * @return this writer
     */
    public Writer data(String description, String fingerprint) {
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(fingerprint, "fingerprint");
      return section(
          DATA_SECTION,
          out -> {
            out.writeUTF(description);
            out.writeUTF(fingerprint);
          });
    }

    /**
     * Writes the file atomically: either the complete new checkpoint replaces {@code target} or
     * {@code target} is untouched.
     *
     * @param target the checkpoint file
     * @throws UncheckedIOException naming the path if it cannot be written
     */
    public void write(Path target) {
      AtomicFiles.write(
          target,
          raw -> {
            Summing sum = new Summing(raw);
            Output out = new Output(new BufferedOutputStream(sum, 1 << 16));
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            List<String> names = new ArrayList<>();
            List<long[]> extents = new ArrayList<>();
            for (Map.Entry<String, SectionWriter> s : sections.entrySet()) {
              out.flush();
              long offset = sum.count;
              s.getValue().write(out);
              out.flush();
              names.add(s.getKey());
              extents.add(new long[] {offset, sum.count - offset});
            }
            long tocOffset = sum.count;
            out.writeUTF(kind);
            out.writeInt(names.size());
            for (int i = 0; i < names.size(); i++) {
              out.writeUTF(names.get(i));
              out.writeLong(extents.get(i)[0]);
              out.writeLong(extents.get(i)[1]);
            }
            out.flush();
            long tocLength = sum.count - tocOffset;
            out.writeLong(tocOffset);
            out.writeInt((int) tocLength);
            out.writeInt(END);
            out.flush();
            int crc = (int) sum.crc.getValue();
            out.writeInt(crc);
            out.flush();
          });
    }
  }

  /** Counts and checksums what passes through. */
  private static final class Summing extends FilterOutputStream {
    final CRC32C crc = new CRC32C();
    long count;

    Summing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      crc.update(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      crc.update(b, off, len);
      count += len;
    }
  }

  /**
   * Opens and verifies a checkpoint: magic, format, the checksum over every byte, the table of
   * contents and the kind. Sections are read afterwards with {@link #read}.
   *
   * @param file the checkpoint
   * @param expectedKind the kind it must hold, e.g. {@code "mlp"}
   * @return the open checkpoint; close it when done
   * @throws IllegalArgumentException naming the file and what is wrong with it
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static Checkpoint open(Path file, String expectedKind) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(expectedKind, "expectedKind");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(new NoSuchFileException("checkpoint " + file + " does not exist"));
    } catch (AccessDeniedException e) {
      throw new UncheckedIOException(new AccessDeniedException("checkpoint " + file + " is not readable"));
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read checkpoint " + file + ": " + e.getMessage(), e));
    }
    try {
      Checkpoint c = verify(file, channel, expectedKind);
      channel = null;
      return c;
    } catch (Corrupt e) {
      throw new IllegalArgumentException("checkpoint " + file + " is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read checkpoint " + file + ": " + e.getMessage(), e));
    } finally {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // the failure being reported matters more
        }
      }
    }
  }

  private static Checkpoint verify(Path file, FileChannel channel, String expectedKind) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("checkpoint " + file + " is a directory");
    }
    long size = channel.size();
    if (size < 8) {
      throw notCheckpoint(file, "only " + size + " bytes");
    }
    ByteBuffer head = ByteBuffer.allocate(8);
    readFully(channel, head, 0);
    int magic = head.getInt(0);
    int format = head.getInt(4);
    if (magic != MAGIC) {
      throw notCheckpoint(file, String.format("bad magic 0x%08x", magic));
    }
    if (format == 1) {
      throw new IllegalArgumentException(
          "checkpoint " + file + " was written by an older format 1; this version reads format " + FORMAT
              + " (train again to write one)");
    }
    if (size < 8 + TRAILER) {
      throw new Corrupt("truncated (" + size + " bytes)");
    }
    // The checksum first: nothing read from the file is trusted before it matches.
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = 0;
    long end = size - 4;
    while (pos < end) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new Corrupt("file shrank while being read");
      }
      buf.flip();
      crc.update(buf);
      pos += n;
    }
    ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
    readFully(channel, trailer, size - TRAILER);
    int stored = trailer.getInt(16);
    if (stored != (int) crc.getValue()) {
      throw new Corrupt(
          String.format("truncated or modified, checksum mismatch (CRC32C stored %08x, computed %08x)", stored, (int) crc.getValue()));
    }
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          "checkpoint " + file + " was written by " + (format < FORMAT ? "an older" : "a newer") + " format "
              + format + "; this version reads format " + FORMAT);
    }
    long tocOffset = trailer.getLong(0);
    int tocLength = trailer.getInt(8);
    if (trailer.getInt(12) != END || tocOffset < 8 || tocLength < 0 || tocOffset + tocLength != size - TRAILER) {
      throw new Corrupt("bad trailer");
    }
    ByteBuffer toc = ByteBuffer.allocate(tocLength);
    readFully(channel, toc, tocOffset);
    Map<String, long[]> sections = new LinkedHashMap<>();
    String kind;
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(toc.array()))) {
      kind = in.readUTF();
      int count = in.readInt();
      if (count < 0 || count > MAX_SECTIONS) {
        throw new Corrupt("implausible section count " + count);
      }
      long next = 8;
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        long offset = in.readLong();
        long length = in.readLong();
        if (offset != next || length < 0 || offset + length > tocOffset || sections.put(name, new long[] {offset, length}) != null) {
          throw new Corrupt("bad table of contents at section '" + name + "'");
        }
        next = offset + length;
      }
      if (next != tocOffset || in.read() != -1) {
        throw new Corrupt("bad table of contents");
      }
    } catch (EOFException e) {
      throw new Corrupt("truncated table of contents");
    }
    if (!kind.equals(expectedKind)) {
      throw new IllegalArgumentException(
          "checkpoint " + file + " holds a " + kind + " run, not a " + expectedKind + " run");
    }
    return new Checkpoint(file, channel, kind, Collections.unmodifiableMap(sections));
  }

  private static IllegalArgumentException notCheckpoint(Path file, String why) {
    return new IllegalArgumentException("checkpoint " + file + " is not a spectral4j checkpoint (" + why + ")");
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, p);
      if (n < 0) {
        throw new Corrupt("file shrank while being read");
      }
      p += n;
    }
    buf.flip();
    buf.order(ByteOrder.BIG_ENDIAN);
  }

  /** What the file holds, e.g. {@code "mlp"}. */
  public String kind() {
    return kind;
  }

  /** The checkpoint file. */
  public Path file() {
    return file;
  }

  /** The section names, in file order. */
  public List<String> sections() {
    return List.copyOf(sections.keySet());
  }

  /**
   * Whether the checkpoint has a section of that name.
   *
   * @param name a section name
   * @return whether it exists
   */
  public boolean has(String name) {
    return sections.containsKey(name);
  }

  /**
   * Decodes a section; the reader must consume exactly its bytes.
   *
   * @param <T> what the section decodes to
   * @param name the section
   * @param reader decodes it
   * @return what {@code reader} returned
   * @throws IllegalArgumentException naming the file and section if it is missing, too short, too
   *     long, or the reader refuses its content
   */
  public <T> T read(String name, SectionReader<T> reader) {
    long[] extent = sections.get(name);
    if (extent == null) {
      throw new IllegalArgumentException("checkpoint " + file + " has no section '" + name + "' (it has " + sections.keySet() + ")");
    }
    InputStream bounded = new Bounded(channel, extent[0], extent[1]);
    try (Input in = new Input(new BufferedInputStream(bounded, 1 << 16))) {
      T value = reader.read(in);
      if (in.read() != -1) {
        throw new Corrupt("unread bytes at the end");
      }
      return value;
    } catch (EOFException e) {
      throw new IllegalArgumentException("checkpoint " + file + " is corrupt: section '" + name + "' ends early", e);
    } catch (Corrupt e) {
      throw new IllegalArgumentException("checkpoint " + file + " is corrupt: section '" + name + "': " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint " + file + ", section '" + name + "': " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read checkpoint " + file + ": " + e.getMessage(), e));
    }
  }

  /**
   * Refuses to continue on other data than the run was saved with.
   *
   * @param description what the caller trains on now, e.g. "teacher (9000 examples of dimension 784)"
   * @param fingerprint its fingerprint, e.g. {@link Dataset#fingerprint()}
   * @throws IllegalArgumentException naming both datasets if the fingerprints differ, or if the
   *     checkpoint records no data
   */
  public void requireData(String description, String fingerprint) {
    String[] stored = read(DATA_SECTION, in -> new String[] {in.readUTF(), in.readUTF()});
    if (!stored[1].equals(fingerprint)) {
      throw new IllegalArgumentException(
          "checkpoint " + file + " was trained on other data: " + stored[0] + ", fingerprint " + shortHash(stored[1])
              + ", not " + description + ", fingerprint " + shortHash(fingerprint));
    }
  }

  private static String shortHash(String h) {
    return h.length() > 16 ? h.substring(0, 16) + "…" : h;
  }

  /**
   * Takes the writer's lock on {@code target} (an OS file lock on the sibling {@code .NAME.lock}), so
   * that two runs cannot write the same checkpoint; hold it from the start of the run to the last
   * save. Taking it also removes temporary files that killed runs left in that directory
   * ({@link AtomicFiles#removeStale}). The lock file stays (removing it would race with a waiting writer); it is empty apart from
   * the holder's process id.
   *
   * @param target the checkpoint that will be written
   * @return the lock; close it to release
   * @throws IllegalArgumentException if another process (or this one) holds it
   * @throws UncheckedIOException if the lock file cannot be created
   */
  public static Closeable lockForWriting(Path target) {
    Path abs = target.toAbsolutePath();
    Path lockFile = abs.resolveSibling("." + abs.getFileName() + ".lock");
    FileChannel ch = null;
    try {
      ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).trim();
        throw new IllegalArgumentException(
            "checkpoint " + target + " is being written by another run"
                + (holder.isEmpty() ? "" : " (process " + holder + ")") + "; choose another --checkpoint");
      }
      AtomicFiles.removeStale(abs.getParent());
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      FileChannel held = ch;
      ch = null;
      return held::close;
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot lock checkpoint " + target + ": " + e.getMessage(), e));
    } finally {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // reporting the lock failure matters more
        }
      }
    }
  }

  /** Hex of a SHA-256 digest. */
  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String checkName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.length() > 200 || !name.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
      throw new IllegalArgumentException("checkpoint " + what + " '" + name + "' must be 1-200 printable ASCII characters");
    }
    return name;
  }

  /** The bytes {@code [offset, offset + length)} of a channel, by positional reads. */
  private static final class Bounded extends InputStream {
    private final FileChannel channel;
    private long position;
    private final long end;

    Bounded(FileChannel channel, long offset, long length) {
      this.channel = channel;
      this.position = offset;
      this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position >= end) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
      if (n < 0) {
        throw new EOFException();
      }
      position += n;
      return n;
    }
  }
}
