package io.github.spectral4j.trainer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** PLACEHOLDER: prints the per-layer rules of a parametrization (being written). */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Print the per-layer scaling rules.")
final class PlanCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
