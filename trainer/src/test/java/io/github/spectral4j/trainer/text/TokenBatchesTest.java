package io.github.spectral4j.trainer.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.trainer.ThreadAllocation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TokenBatchesTest {

  private static TokenStream stream(String text) {
    return TextCorpus.of("t", text.getBytes(StandardCharsets.US_ASCII)).train();
  }

  @Test
  void handComputedWindowsAreShiftedByOne() {
    TokenStream s = stream("abcdefg");
    int[] in = new int[6];
    int[] out = new int[6];
    s.window(2, 3, in, out, 1);
    assertArrayEquals(new int[] {0, 0, 0, 'c', 'd', 'e'}, in);
    assertArrayEquals(new int[] {0, 0, 0, 'd', 'e', 'f'}, out);
    assertEquals(2, s.windows(3)); // targets b..g: windows at 0 and 3
    s.window(3, 3, in, out, 0);
    assertArrayEquals(new int[] {'d', 'e', 'f'}, Arrays.copyOf(in, 3));
    assertArrayEquals(new int[] {'e', 'f', 'g'}, Arrays.copyOf(out, 3));
    assertThrows(IllegalArgumentException.class, () -> s.window(4, 3, in, out, 0));
    assertThrows(IllegalArgumentException.class, () -> s.window(0, 3, in, out, 2));
  }

  @Test
  void batchRowsAreTheWindowsAtTheirOffsets() {
    TokenStream s = stream("the quick brown fox jumps over the lazy dog\n");
    TokenBatches b = new TokenBatches(s, 3, 5, 42);
    int[] in = new int[15];
    int[] out = new int[15];
    b.fill(7, in, out);
    for (int r = 0; r < 3; r++) {
      int o = b.offset(7, r);
      for (int k = 0; k < 5; k++) {
        assertEquals(s.token(o + k), in[r * 5 + k]);
        assertEquals(s.token(o + k + 1), out[r * 5 + k]);
      }
    }
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 200).mapToObj(s -> 0xBA7C_0000L + s);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void batchesArePureFunctionsOfSeedAndStep(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int context = 1 + random.nextInt(9);
    int batch = 1 + random.nextInt(5);
    StringBuilder text = new StringBuilder();
    int n = context + 1 + random.nextInt(60);
    for (int i = 0; i < n; i++) {
      text.append((char) (' ' + random.nextInt(95)));
    }
    TokenStream s = stream(text.toString());
    TokenBatches a = new TokenBatches(s, batch, context, seed);
    TokenBatches b = new TokenBatches(s, batch, context, seed);
    long step = random.nextLong(1L << 40);
    int[] in1 = new int[batch * context];
    int[] out1 = new int[batch * context];
    int[] in2 = new int[batch * context];
    int[] out2 = new int[batch * context];
    a.fill(step, in1, out1);
    b.fill(step + 1, in2, out2); // another step in between does not change the next call's result
    b.fill(step, in2, out2);
    assertArrayEquals(in1, in2);
    assertArrayEquals(out1, out2);
    for (int r = 0; r < batch; r++) {
      int o = a.offset(step, r);
      assertTrue(o >= 0 && o < n - context, "offset " + o);
      assertEquals(s.token(o + context), out1[r * context + context - 1]);
      for (int k = 0; k + 1 < context; k++) {
        assertEquals(in1[r * context + k + 1], out1[r * context + k]);
      }
    }
  }

  @Test
  void offsetsAreUniformOverTheWindows() {
    // 5 windows of context 4 in a 9-token stream; 50,000 draws: χ² with 4 degrees of freedom.
    TokenBatches b = new TokenBatches(stream("abcdefghi"), 10, 4, 3);
    long[] counts = new long[5];
    for (long step = 0; step < 5000; step++) {
      for (int r = 0; r < 10; r++) {
        counts[b.offset(step, r)]++;
      }
    }
    double expected = 50_000 / 5.0;
    double chi2 = 0;
    for (long c : counts) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    assertTrue(chi2 < 23.5, "χ² = " + chi2 + " for counts " + Arrays.toString(counts)); // p ≈ 1e-4
  }

  @Test
  void seedsAndStepsGiveDifferentBatches() {
    TokenStream s = TextCorpus.brown().train();
    TokenBatches a = new TokenBatches(s, 16, 64, 1);
    TokenBatches b = new TokenBatches(s, 16, 64, 2);
    assertFalse(a.offset(0, 0) == b.offset(0, 0) && a.offset(0, 1) == b.offset(0, 1));
    assertFalse(a.offset(0, 0) == a.offset(1, 0) && a.offset(0, 1) == a.offset(1, 1));
  }

  @Test
  void badArgumentsAreRefusedNamingTheValue() {
    TokenStream s = stream("abcdef");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new TokenBatches(s, 2, 6, 1));
    assertTrue(e.getMessage().contains("context 6"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TokenBatches(s, 0, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> new TokenBatches(s, 2, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TokenBatches(s, 1 << 20, 1 << 12, 1));
    TokenBatches b = new TokenBatches(s, 2, 3, 1);
    assertThrows(IllegalArgumentException.class, () -> b.fill(0, new int[5], new int[6]));
    assertThrows(IllegalArgumentException.class, () -> b.offset(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> b.offset(0, 2));
  }

  @org.junit.jupiter.api.Tag("allocation")
  @Test
  void fillAllocatesNothing() {
    TokenBatches b = new TokenBatches(TextCorpus.brown().train(), 16, 64, 9);
    int[] in = new int[16 * 64];
    int[] out = new int[16 * 64];
    long[] step = {0};
    long allocated = ThreadAllocation.during(5000, () -> b.fill(step[0]++, in, out));
    assertEquals(0, allocated, "bytes allocated by 5000 batches");
  }
}
