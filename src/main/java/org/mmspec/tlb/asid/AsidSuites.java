package org.mmspec.tlb.asid;

import java.util.List;

import org.mmspec.check.CheckSuite;

/**
 * The tagged-TLB property suite for {@code mmspec check}: random walks over random
 * configurations of every architecture. The exhaustive configurations come from
 * {@code models/tlb-asid/manifest.properties} through {@link AsidModel}.
 */
public final class AsidSuites {
    /** Steps per random walk. */
    public static final int WALK_STEPS = 60;

    private AsidSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("tlb", new AsidWalkMachine(), WALK_STEPS));
    }
}
