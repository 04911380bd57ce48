package org.mmspec.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.mmspec.site.SpecSite;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmspec spec}: renders {@code spec/} and {@code proofs/} into a static HTML site with the
 * traceability page and the diagrams ({@link SpecSite}). The project root is {@code --root}, by
 * default the current directory (the launcher runs from anywhere, so it passes nothing and the
 * user's directory counts); without {@code spec/} there it says so in one line.
 */
@Command(name = "spec", mixinStandardHelpOptions = true,
        description = "Build the spec site: one HTML page per chapter of spec/ and note of proofs/, a traceability page"
                + " (every invariant ID with its statement, code, tests, models and proof) and SVG diagrams.")
final class SpecCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the site (default: ROOT/target/site).")
    Path out;

    @Option(names = "--root", paramLabel = "DIR", description = "The project root holding spec/, proofs/, models/ and src/"
            + " (default: the current directory).")
    Path root = Path.of(".");

    @Option(names = "--counterexample", paramLabel = "FILE", description = "Draw this saved counterexample (check"
            + " --save-counterexample) as the timeline instead of the shootdown model's seeded bug.")
    Path counterexample;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Path outDir = out != null ? out : root.resolve("target").resolve("site");
        SpecSite.Summary s = new SpecSite(root, outDir).build(Optional.ofNullable(counterexample));
        o.printf("spec site: %d pages, traceability of %d invariant IDs, diagrams; open %s%n", s.pages(), s.ids(), s.index());
        o.flush();
        return 0;
    }
}
