package io.github.spectral4j.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Case-insensitive enum parsing with an error message that lists the accepted names. */
final class Names {
  private Names() {}

  static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
    if (name != null) {
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(name.trim())) {
          return e;
        }
      }
    }
    String accepted =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "unknown " + what + " '" + name + "' (expected one of: " + accepted + ")");
  }
}
