package org.mmspec.heap;

import java.util.List;

import org.mmspec.check.CheckSuite;

/** The heap's suites for {@code mmspec check} and the test suite. */
public final class HeapSuites {
    private HeapSuites() {
    }

    /** Steps per stateful run before {@code mmspec.scale}. */
    static final int STEPS = 60;

    public static HeapMachine plain() {
        return new HeapMachine("heap", HeapDebugOptions.OFF);
    }

    public static HeapMachine debugging() {
        return new HeapMachine("heap+debug", HeapDebugOptions.ALL);
    }

    public static List<CheckSuite> all() {
        return List.of(
                CheckSuite.stateful("heap", plain(), STEPS),
                CheckSuite.stateful("heap", debugging(), STEPS),
                CheckSuite.stateful("debug", org.mmspec.debug.DebugMachine.machine(), STEPS));
    }
}
