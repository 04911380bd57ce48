package org.mmspec.tlb.asid;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.Violation;

/** Shared helpers: build a model from bounds text, explore it, walk it by labels, list broken IDs. */
final class AsidTestSupport {
    private AsidTestSupport() {
    }

    static AsidModel model(String bounds) {
        return new AsidModel(AsidConfig.fromBounds(Bounds.parse(bounds)));
    }

    static ExplorationResult explore(String bounds) {
        return Explorer.explore(model(bounds), ExploreBounds.unbounded());
    }

    static ExplorationResult explore(String bounds, int depth) {
        return Explorer.explore(model(bounds), ExploreBounds.depth(depth));
    }

    /** Follows, from {@code from}, the first successor whose label contains each fragment in turn. */
    static AsidState walk(AsidModel m, AsidState from, String... fragments) {
        AsidState s = from;
        for (String f : fragments) {
            List<AsidState> hit = new ArrayList<>();
            m.successors(s, (l, n) -> {
                if (hit.isEmpty() && l.get().contains(f)) {
                    hit.add(n);
                }
            });
            if (hit.isEmpty()) {
                throw new AssertionError("no transition labelled '" + f + "' from\n" + s);
            }
            s = hit.get(0);
        }
        return s;
    }

    static List<String> violatedIds(AsidState s) {
        return AsidInvariants.ALL.violations(s).stream().map(Violation::invariantId).toList();
    }
}
