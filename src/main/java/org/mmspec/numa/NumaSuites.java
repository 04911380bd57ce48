package org.mmspec.numa;

import java.util.List;

import org.mmspec.check.CheckSuite;

/** The NUMA component's suites for {@code mmspec check}; its model is {@link NumaModel}. */
public final class NumaSuites {
    /** Steps per random run: enough to fill small nodes and fall back across them. */
    public static final int STEPS = 60;

    private NumaSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("numa", new NumaStateMachine(), STEPS));
    }
}
