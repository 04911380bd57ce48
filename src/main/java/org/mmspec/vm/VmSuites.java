package org.mmspec.vm;

import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.check.CheckSuite;
import org.mmspec.check.ExploreBounds;

/**
 * The check-table rows of address spaces and page faults: the model-based stateful check and a
 * small exhaustive exploration (the manifest configurations of {@code models/vm-address-space}
 * run separately through {@code Catalog.models()}).
 */
public final class VmSuites {
    /** Steps per stateful run. */
    private static final int STEPS = 60;
    /** Steps per run of the huge-page machine (each step checks four 2 MiB ranges page by page). */
    private static final int HUGE_STEPS = 30;
    /** Depth of the suite's own quick exploration (one process, no fork); the manifest configs go deeper. */
    private static final int QUICK_DEPTH = 2;

    private VmSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(
                CheckSuite.stateful("vm", new VmStateMachine(), STEPS),
                CheckSuite.stateful("vm", VmStateMachine.permit(), STEPS),
                CheckSuite.stateful("vm", new VmHugeStateMachine(), HUGE_STEPS),
                CheckSuite.exhaustive("vm", "address space, 8 pages, one process, depth " + QUICK_DEPTH,
                        () -> new VmModel().build(Bounds.parse("pages=8,frames=7,maxLen=2,processes=1")),
                        ExploreBounds.depth(QUICK_DEPTH)),
                CheckSuite.inductive("vm", "mmap/mprotect/munmap preserve the area invariants from any state, "
                        + VmInductive.PAGES + " pages", VmInductive::scope, VmInductive::system));
    }
}
