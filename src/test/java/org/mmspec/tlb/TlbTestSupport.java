package org.mmspec.tlb;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

/** Builds models and walks them along labelled steps, for tests that corrupt reachable states. */
final class TlbTestSupport {
    private TlbTestSupport() {
    }

    static ShootdownModel model(String bounds) {
        return new ShootdownModel(TlbConfig.fromBounds(Bounds.parse(bounds)));
    }

    static ExplorationResult explore(String bounds) {
        return Explorer.explore(model(bounds), ExploreBounds.unbounded());
    }

    /** Follows the first successor whose label starts with each prefix in turn. */
    static TlbState walk(ShootdownModel m, String... labelPrefixes) {
        return walkFrom(m, m.initial(), labelPrefixes);
    }

    /** {@link #walk} from {@code start} instead of the initial state. */
    static TlbState walkFrom(ShootdownModel m, TlbState start, String... labelPrefixes) {
        TlbState s = start;
        for (String prefix : labelPrefixes) {
            List<TlbState> found = new ArrayList<>(1);
            List<String> seen = new ArrayList<>();
            TlbState from = s;
            m.successors(from, (lbl, n) -> {
                String l = lbl.get();
                seen.add(l);
                if (found.isEmpty() && l.startsWith(prefix)) {
                    found.add(n);
                }
            });
            if (found.isEmpty()) {
                throw new AssertionError("no step '" + prefix + "' from\n" + from + "\nonly " + seen);
            }
            s = found.get(0);
        }
        return s;
    }

    static List<String> violatedIds(TlbState s) {
        return TlbInvariants.ALL.violations(s).stream().map(v -> v.invariantId()).toList();
    }
}
