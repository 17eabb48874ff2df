package io.github.spectral4j.trainer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spectral4j} command line. Exit status 0 on success, 1 when an experiment's verdict fails
 * or training diverges, 2 for bad input (one line on stderr naming the bad value, no stack trace).
 */
@Command(
    name = "spectral4j",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Feature learning at every width: the spectral condition of Yang, Simon & Bernstein (arXiv 2310.17813).",
    subcommands = {
      PlanCommand.class,
      TrainCommand.class,
      CoordCheckCommand.class,
      LrSweepCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status for bad input. */
  static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit status (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("spectral4j: " + ex.getMessage());
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof IOException) {
            err.println("spectral4j: " + ex.getMessage());
            return USAGE;
          }
          if (ex instanceof UncheckedIOException unchecked) {
            err.println("spectral4j: " + unchecked.getCause().getMessage());
            return USAGE;
          }
          throw ex;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version Maven wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "spectral4j " + p.getProperty("version", "unknown"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
      };
    }
  }
}
