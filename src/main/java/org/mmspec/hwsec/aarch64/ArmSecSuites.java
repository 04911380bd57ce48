package org.mmspec.hwsec.aarch64;

import java.util.List;

import org.mmspec.check.CheckSuite;

/** The AArch64 security features' suites for {@code mmspec check}; the exhaustive models are {@link ArmSecModels}. */
public final class ArmSecSuites {
    /** Steps per random run. */
    public static final int STEPS = 80;

    private ArmSecSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(CheckSuite.stateful("hwsec", new ArmSecMachine(), STEPS), CheckSuite.stateful("hwsec", new MteSlabMachine(), STEPS));
    }
}
