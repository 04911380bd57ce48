package org.mmspec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mmspec} launcher: {@code check}, {@code models}, {@code shootdown}, {@code replay},
 * {@code debug}. A command line it cannot parse (unknown option, missing or bad value) gives one
 * line on stderr naming the problem and exit code 2, not the usage text.
 */
@Command(name = "mmspec", mixinStandardHelpOptions = true, version = "mmspec 0.1.0",
        description = "Executable, model-checked specification of VeridianOS memory management.",
        subcommands = {CheckCommand.class, ModelsCommand.class, ShootdownCommand.class, ReplayCommand.class, DebugCommand.class})
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
        return cl;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
