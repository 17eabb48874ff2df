package io.github.spectral4j.trainer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parses the command-line names of the trainer's enums: case-insensitive, {@code -} read as {@code _},
 * optional short aliases; an unknown name gives one message listing the accepted ones.
 */
final class EnumNames {
  private EnumNames() {}

  static <E extends Enum<E>> E parse(Class<E> type, String name, String what, Map<String, E> aliases) {
    String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    E alias = aliases.get(n);
    if (alias != null) {
      return alias;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(n)) {
        return e;
      }
    }
    String accepted =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    throw new IllegalArgumentException("unknown " + what + " '" + name + "' (expected one of: " + accepted + ")");
  }
}
