package org.mmspec.tlb.smp;

import java.util.List;

import org.mmspec.check.CheckSuite;

/**
 * The integration's property suites for {@code mmspec check}: the stateful model-based check of
 * the integrated system, synchronous and lazy. The exhaustive configurations come from
 * {@code models/tlb-smp/manifest.properties} through {@link SmpModel}.
 */
public final class SmpSuites {
    /** Steps per random run. */
    public static final int STEPS = 40;

    private SmpSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("tlb", new SmpStateMachine(false), STEPS),
                CheckSuite.stateful("tlb", new SmpStateMachine(true), STEPS));
    }
}
