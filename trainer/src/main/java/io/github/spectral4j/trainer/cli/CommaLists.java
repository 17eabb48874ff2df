package io.github.spectral4j.trainer.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Element converters for comma-separated options such as {@code --dims 784,1024,10} (declared with
 * {@code split = ","}); a bad element gives one message naming it.
 */
final class CommaLists {
  private CommaLists() {}

  /** An integer ≥ 1, e.g. a dimension or a width. */
  static final class PositiveInt implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int parsed;
      try {
        parsed = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not an integer");
      }
      if (parsed < 1) {
        throw new TypeConversionException("'" + value + "' must be >= 1");
      }
      return parsed;
    }
  }

  /** A finite number &gt; 0, e.g. a learning rate. */
  static final class PositiveDouble implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double parsed;
      try {
        parsed = Double.parseDouble(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a number");
      }
      if (!(parsed > 0) || !Double.isFinite(parsed)) {
        throw new TypeConversionException("'" + value + "' must be a finite number > 0");
      }
      return parsed;
    }
  }
}
