package io.github.spectral4j.trainer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TextCorpusTest {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String all(TokenStream s) {
    return s.text(0, s.length());
  }

  @Test
  void handComputedSplitHoldsOutTheTenthSample() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      text.append(i == 0 ? "" : "\n").append("s").append(i).append(" line\nend").append(i).append('\n');
    }
    TextCorpus c = TextCorpus.of("t", ascii(text.toString()));
    assertEquals(12, c.samples());
    assertEquals(1, c.heldOutSamples());
    assertEquals("s9 line\nend9\n\n", all(c.heldOut()));
    assertTrue(all(c.train()).startsWith("s0 line\nend0\n\ns1 line\nend1\n\n"));
    assertTrue(all(c.train()).endsWith("end8\n\ns10 line\nend10\n\ns11 line\nend11\n"));
    assertFalse(all(c.train()).contains("s9 "));
    assertEquals(text.length(), c.train().length() + c.heldOut().length());
  }

  @Test
  void fewerThanTenSamplesHoldNothingOut() {
    TextCorpus c = TextCorpus.of("t", ascii("one\n\ntwo\n"));
    assertEquals(2, c.samples());
    assertEquals(0, c.heldOut().length());
    assertEquals(0, c.heldOut().windows(4));
    assertEquals("one\n\ntwo\n", all(c.train()));
  }

  @Test
  void aByteOutsideTheVocabularyIsRefusedWithItsOffset() {
    byte[] text = ascii("abc\n\ndef");
    text[6] = (byte) 0xE9;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.of("latin1", text));
    assertTrue(e.getMessage().contains("byte 233 at offset 6"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TextCorpus.of("empty", new byte[0]));
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 200).mapToObj(s -> 0x5EED_0000L + s);
  }

  /** Random samples (lines of letters and spaces, no blank line inside) joined by blank lines. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void splitIsEveryTenthSampleAndLosesNoByte(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int k = 1 + random.nextInt(45);
    List<String> samples = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      StringBuilder s = new StringBuilder();
      int lines = 1 + random.nextInt(3);
      for (int l = 0; l < lines; l++) {
        int n = 1 + random.nextInt(20);
        for (int j = 0; j < n; j++) {
          s.append((char) (random.nextInt(4) == 0 ? ' ' : 'a' + random.nextInt(26)));
        }
        s.append('\n');
      }
      samples.add(s.toString());
    }
    String text = String.join("\n", samples);
    TextCorpus c = TextCorpus.of("random", ascii(text));
    StringBuilder train = new StringBuilder();
    StringBuilder heldOut = new StringBuilder();
    for (int i = 0; i < k; i++) {
      String withSeparator = samples.get(i) + (i < k - 1 ? "\n" : "");
      (i % 10 == 9 ? heldOut : train).append(withSeparator);
    }
    assertEquals(k, c.samples());
    assertEquals(k / 10, c.heldOutSamples());
    assertEquals(train.toString(), all(c.train()));
    assertEquals(heldOut.toString(), all(c.heldOut()));
  }

  @Test
  void brownHasItsDocumentedSizesAndChecksum() {
    TextCorpus brown = TextCorpus.brown();
    assertEquals("brown", brown.name());
    assertEquals(500, brown.samples());
    assertEquals(50, brown.heldOutSamples());
    assertEquals(5_370_056, brown.train().length());
    assertEquals(599_971, brown.heldOut().length());
    assertEquals(TextCorpus.BROWN_SHA256, brown.sha256());
    assertTrue(brown.train().text(0, 40).startsWith("The Fulton County Grand Jury said Friday"));
    assertEquals((599_971 - 1) / 64, brown.heldOut().windows(64));
  }

  /** A held-out sample is a whole text the training side never sees: no 200-byte stretch of it recurs there. */
  @Test
  void brownHeldOutSamplesDoNotOccurInTraining() {
    TextCorpus brown = TextCorpus.brown();
    String train = all(brown.train());
    String heldOut = all(brown.heldOut());
    String[] samples = heldOut.split("\n\n");
    assertEquals(50, samples.length);
    for (String s : samples) {
      int middle = s.length() / 2;
      assertFalse(train.contains(s.substring(middle, middle + 200)), s.substring(0, 60));
    }
  }
}
