package org.mmspec.zones;

import java.util.List;

import org.mmspec.check.CheckSuite;
import org.mmspec.frames.BuddyAllocator;

/**
 * The zone component's suites for {@code mmspec check}: the model-based random runs with the
 * seed's HybridAllocator per zone, and with small-threshold hybrids that use both halves; its
 * exhaustive model is {@link ZoneModel}.
 */
public final class ZoneSuites {
    /** Steps per random run: enough to fill the small zones and reclaim from them. */
    public static final int STEPS = 60;

    /** A hybrid threshold that splits even the tiny zones of the random runs into both halves. */
    public static final long SMALL_THRESHOLD = 2;

    private ZoneSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("zones", new ZoneStateMachine(), STEPS),
                CheckSuite.stateful("zones", new ZoneStateMachine(AllocatorFactory.hybrid(SMALL_THRESHOLD, BuddyAllocator.GIB_ORDER)), STEPS));
    }
}
