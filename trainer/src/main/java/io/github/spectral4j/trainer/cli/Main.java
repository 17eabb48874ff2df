package io.github.spectral4j.trainer.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
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
    description = {
      "Train neural networks that learn features at every width: the spectral condition of Yang, Simon & Bernstein (arXiv 2310.17813).",
      "How to read each command's output: README.md, section \"Reading the output\"."
    },
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
    // Straight to file descriptor 1, not through System.out, which swallows write errors: a full disk
    // or a closed pipe must fail the command (see run).
    PrintWriter out = new PrintWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), System.out.charset()), true);
    System.exit(run(args, out, new PrintWriter(System.err, true)));
  }

  /**
   * Runs the CLI with the given streams and returns the exit status (for tests); a failed write to
   * {@code out} turns success into {@link #USAGE} with one line on {@code err}.
   */
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
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
          help -> listsOnce(help.synopsis(help.synopsisHeadingLength())));
    }
    cli.setExecutionStrategy(parseResult -> {
      refuseRepeatedLists(parseResult);
      return new CommandLine.RunLast().execute(parseResult);
    });
    int status = cli.execute(args);
    if (out.checkError()) { // flushes, then reports whether any write to standard output failed
      err.println("spectral4j: cannot write to standard output (full disk or closed pipe?)");
      return status == 0 ? USAGE : status;
    }
    return status;
  }

  /**
   * The usage line without picocli's "may be repeated" marks on list options, which are refused when
   * repeated: {@code --dims=D0,D1,… [--dims=D0,D1,…]...} becomes {@code --dims=D0,D1,…} and
   * {@code [--widths=N,N,…]...} becomes {@code [--widths=N,N,…]}.
   */
  static String listsOnce(String synopsis) {
    return synopsis
        .replaceAll("(--[a-z-]+=\\S+)\\s+\\[\\1\\]\\.\\.\\.", "$1")
        .replaceAll("\\[(--[a-z-]+=[^\\[\\]]+)\\]\\.\\.\\.", "[$1]");
  }

  /**
   * Refuses a list option given more than once, in every command: picocli would join
   * {@code --dims 784,4096,10 --dims 784,256,10} into one six-number list, a model nobody asked for.
   * A single-valued option given twice is already refused by picocli.
   */
  static void refuseRepeatedLists(CommandLine.ParseResult parseResult) {
    for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
      for (CommandLine.Model.OptionSpec o : r.matchedOptions()) {
        if (!o.isMultiValue()) {
          continue;
        }
        long times = parseResult.originalArgs().stream()
            .filter(a -> java.util.Arrays.stream(o.names()).anyMatch(n -> a.equals(n) || a.startsWith(n + "=")))
            .count();
        if (times > 1) {
          throw new CommandLine.ParameterException(r.commandSpec().commandLine(),
              o.longestName() + " is given " + times + " times (" + String.join(", ", o.originalStringValues())
                  + "): give " + (o.splitRegex().isEmpty() ? "all its values after one " + o.longestName()
                      : "one comma-separated list"));
        }
      }
    }
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
