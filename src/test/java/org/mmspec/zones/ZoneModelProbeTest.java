package org.mmspec.zones;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

class ZoneModelProbeTest {
    @Test
    void probe() {
        for (String b : System.getProperty("probe", "").split(";")) {
            ExplorationResult r = Explorer.explore(new ZoneModel().build(Bounds.parse(b)), new ExploreBounds(Integer.getInteger("probeDepth", 100), 400_000));
            System.out.println("PROBE " + b + " -> " + r.summary());
        }
    }
}
