package org.mmspec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mmspec} launcher: {@code check} (with {@code check shootdown}), {@code models},
 * {@code shootdown} (the same command as {@code check shootdown}), {@code replay}, {@code spec},
 * {@code debug}. A command line it cannot parse (unknown option, missing or bad value) gives one
 * line on stderr naming the problem and exit code 2, not the usage text.
 */
@Command(name = "mmspec", mixinStandardHelpOptions = true, version = "mmspec 0.1.0",
        description = "Executable, model-checked specification of VeridianOS memory management.",
        subcommands = {CheckCommand.class, ModelsCommand.class, ShootdownCommand.class, ReplayCommand.class, SpecCommand.class,
                DebugCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 when every check passed). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line; tests set its out and err writers. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine sub = ex.getCommandLine();
            sub.getErr().println(sub.getCommandSpec().qualifiedName() + ": " + ex.getMessage() + " (see '"
                    + sub.getCommandSpec().qualifiedName() + " --help')");
            sub.getErr().flush();
            return sub.getCommandSpec().exitCodeOnInvalidInput();
        });
        // Bad bounds, an unknown model or an unreadable file surface as these exceptions from deep
        // in the model; the user gets one line naming the problem, never a stack trace.
        cl.setExecutionExceptionHandler((ex, sub, parseResult) -> {
            if (!(ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException || ex instanceof org.mmspec.check.MmException)) {
                throw ex;
            }
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            sub.getErr().println(sub.getCommandSpec().qualifiedName() + ": " + msg.lines().findFirst().orElse(msg));
            sub.getErr().flush();
            return sub.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
