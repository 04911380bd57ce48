package org.mmspec.numa;

import java.util.List;

import org.mmspec.check.CheckSuite;
import org.mmspec.frames.BuddyAllocator;
import org.mmspec.zones.AllocatorFactory;

/**
 * The NUMA component's suites for {@code mmspec check}: the model-based random runs with the
 * seed's HybridAllocator per node, and with small-threshold hybrids that use both halves; its
 * exhaustive model is {@link NumaModel}. Zones inside nodes ({@link ZonedNumaAllocator}) have two
 * more: the reference allocator with orders up to 2, and the HybridAllocator with order 0; their
 * exhaustive model is {@link ZonedNumaModel}.
 */
public final class NumaSuites {
    /** Steps per random run: enough to fill small nodes and fall back across them. */
    public static final int STEPS = 60;

    /** A hybrid threshold that splits even the tiny nodes of the random runs into both halves. */
    public static final long SMALL_THRESHOLD = 2;

    private NumaSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("numa", new NumaStateMachine(), STEPS),
                CheckSuite.stateful("numa", new NumaStateMachine(AllocatorFactory.hybrid(SMALL_THRESHOLD, BuddyAllocator.GIB_ORDER)), STEPS),
                CheckSuite.stateful("numa", new ZonedNumaStateMachine(), STEPS),
                CheckSuite.stateful("numa", new ZonedNumaStateMachine(AllocatorFactory.HYBRID, 0), STEPS));
    }
}
