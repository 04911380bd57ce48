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
                manifest.checks(config));
    }

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
        compare(out, manifest, config, "states", r.distinctStates());
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
