package org.mmspec.tlb;

import java.util.List;

import org.mmspec.check.CheckSuite;

/**
 * The TLB chapter's property suites for {@code mmspec check}. The exhaustive configurations come
 * from {@code models/tlb-shootdown/manifest.properties} through {@link TlbModels}.
 */
public final class TlbSuites {
    /** Steps per random walk. */
    public static final int WALK_STEPS = 60;

    private TlbSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("tlb", new ShootdownWalkMachine(), WALK_STEPS));
    }
}
