package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.CheckSuite;

/**
 * The property suites of physical frame allocation, as {@code mmspec check} lists them: the
 * three model-based stateful machines and the bounded inductiveness checks of the buddy
 * invariants. The exhaustive models are listed separately ({@link FrameModels}) because their
 * bounds live in {@code models/}.
 */
public final class FrameSuites {
    /** The component name in the check table. */
    public static final String COMPONENT = "frames";
    /** Steps per stateful run before {@code mmspec.scale}. */
    public static final int STEPS = 60;

    private FrameSuites() {
    }

    public static List<CheckSuite> all() {
        List<CheckSuite> out = new ArrayList<>();
        out.add(CheckSuite.stateful(COMPONENT, FrameMachines.bitmap(), STEPS));
        out.add(CheckSuite.stateful(COMPONENT, FrameMachines.buddy(), STEPS));
        out.add(CheckSuite.stateful(COMPONENT, FrameMachines.hybrid(), STEPS));
        for (BuddyInductiveness.Scope scope : BuddyInductiveness.scopes()) {
            out.add(CheckSuite.inductive(COMPONENT, "BuddyInductiveness " + scope, () -> BuddyInductiveness.states(scope),
                    () -> BuddyInductiveness.system(scope)));
        }
        return out;
    }
}
