package org.mmspec.pcp;

import java.util.List;

import org.mmspec.check.CheckSuite;

/** The per-CPU frame caches' suites for {@code mmspec check}; the exhaustive model is {@link PcpModel}. */
public final class PcpSuites {
    /** Steps per random run: enough to exhaust small nodes, overflow caches and fall back across nodes. */
    public static final int STEPS = 60;

    private PcpSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("pcp", new PcpStateMachine(), STEPS));
    }
}
