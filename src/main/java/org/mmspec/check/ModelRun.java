package org.mmspec.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one configuration of an {@link ExhaustiveModel} at the bounds its manifest records and
 * compares what it found with what the manifest recorded.
 */
public final class ModelRun {
    private ModelRun() {
    }

    /** Explores {@code config} of {@code model} at the manifest's bounds. */
    public static ExplorationResult explore(ExhaustiveModel model, Manifest manifest, String config, Progress progress) {
        TransitionSystem<?> system = model.build(manifest.bounds(config));
        return Explorer.explore(system, manifest.exploreBounds(config), progress, ExplorerSettings.fromProperties(),
                options(manifest, config));
    }

    /** {@link #explore} with partial-order reduction forced {@code on} or off, whatever the manifest says. */
    public static ExplorationResult explore(ExhaustiveModel model, Manifest manifest, String config, Progress progress,
            boolean por) {
        TransitionSystem<?> system = model.build(manifest.bounds(config));
        return Explorer.explore(system, manifest.exploreBounds(config), progress, ExplorerSettings.fromProperties(),
                manifest.checks(config).withPor(por));
    }

    /** Whether {@code config}'s run, as configured, reduces (POR asked for and the model declares a partial order). */
    public static boolean reduces(ExhaustiveModel model, Manifest manifest, String config) {
        return Explorer.reduces(model.build(manifest.bounds(config)), options(manifest, config));
    }

    /**
     * The manifest's checks, with partial-order reduction overridden by the {@code mmspec.por}
     * property ({@code on} or {@code off}) when it is set: {@code mmspec check --por}.
     */
    public static CheckOptions options(Manifest manifest, String config) {
        CheckOptions o = manifest.checks(config);
        String por = System.getProperty(POR_PROPERTY);
        if (por == null) {
            return o;
        }
        return switch (por) {
            case "on" -> o.withPor(true);
            case "off" -> o.withPor(false);
            default -> throw new IllegalArgumentException(POR_PROPERTY + " must be on or off, not " + por);
        };
    }

    /** The system property {@code --por} sets. */
    public static final String POR_PROPERTY = "mmspec.por";

    /**
     * The differences between a run and the manifest: a drifted count, a search that was complete
     * and no longer is (or the reverse), or a verdict that is not the expected one. Empty when the
     * run matches.
     */
    public static List<String> drift(Manifest manifest, String config, ExplorationResult r) {
        List<String> out = new ArrayList<>();
        String expected = manifest.expect(config);
        String verdict = Manifest.verdict(r);
        if (!verdict.equals(expected)) {
            out.add(config + ": expected verdict " + expected + " but got " + verdict
                    + r.counterexample().map(c -> "\n" + c.render()).orElse(""));
        }
        if (options(manifest, config).por() != manifest.checks(config).por()) {
            // --por overrides the manifest: only the unreduced count is recorded for comparison
            if (!options(manifest, config).por()) {
                compare(out, manifest, config, "statesFull", r.distinctStates());
            }
            return out;
        }
        compare(out, manifest, config, "states", r.distinctStates());
        String full = manifest.get(config + ".statesFull", null);
        if (full != null && Long.parseLong(full) < r.distinctStates()) {
            out.add(config + ": statesFull " + full + " is below the reduced run's " + r.distinctStates() + " states");
        }
        compare(out, manifest, config, "transitions", r.transitions());
        compare(out, manifest, config, "reached", r.depth());
        String complete = manifest.get(config + ".complete", null);
        if (complete != null && !complete.equals(String.valueOf(r.complete()))) {
            out.add(config + ": complete drifted: recorded " + complete + ", now " + r.complete());
        }
        if (r.counterexample().isPresent()) {
            compare(out, manifest, config, "cexLength", r.counterexample().get().length());
        }
        return out;
    }

    private static void compare(List<String> out, Manifest m, String config, String key, long actual) {
        String recorded = m.get(config + "." + key, null);
        if (recorded == null) {
            out.add(config + ": nothing recorded for " + key + " (run `./mmspec models --record`)");
        } else if (!recorded.equals(String.valueOf(actual))) {
            out.add(config + ": " + key + " drifted: recorded " + recorded + ", now " + actual);
        }
    }
}
