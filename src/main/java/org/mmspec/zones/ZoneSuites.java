package org.mmspec.zones;

import java.util.List;

import org.mmspec.check.CheckSuite;

/** The zone component's suites for {@code mmspec check}; its model is {@link ZoneModel}. */
public final class ZoneSuites {
    /** Steps per random run: enough to fill the small zones and reclaim from them. */
    public static final int STEPS = 60;

    private ZoneSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("zones", new ZoneStateMachine(), STEPS));
    }
}
