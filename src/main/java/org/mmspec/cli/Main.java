package org.mmspec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mmspec} launcher: {@code check}, {@code models}, {@code explore}. */
@Command(name = "mmspec", mixinStandardHelpOptions = true, version = "mmspec 0.1.0",
        description = "Executable, model-checked specification of VeridianOS memory management.",
        subcommands = {CheckCommand.class, ModelsCommand.class, ShootdownCommand.class, DebugCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 when every check passed). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
