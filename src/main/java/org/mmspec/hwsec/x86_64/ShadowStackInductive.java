package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.check.TransitionSystem;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * A bounded check that SHSTK-1..4 are inductive: from <em>every</em> one-page state in scope that
 * satisfies them (reachable or not), every operation of {@link ShadowStackModel} — fork included
 * — leads to a state that satisfies them again. The exhaustive model shows the invariants on what
 * is reachable; this shows no step of {@code proofs/shadow-stack.md} leans on the history.
 *
 * <p>Scope: one page over two frames; its area is each {@link ShadowStackSpace.Area}, its
 * "made by map_shadow_stack" ghost either way, its leaf absent (only without an area) or P US A
 * over frame 0 with every combination of R/W, D, SavedDirty and NX, and frame 0 written or not:
 * 4 × 2 × 17 × 2 = 272 candidates less the leaves of areas that have none.
 */
public final class ShadowStackInductive {
    private static final int PAGES = 1;
    private static final int FRAMES = 2;

    private ShadowStackInductive() {
    }

    public static String name() {
        return "SHSTK-1..4 are preserved by every operation from any one-page state";
    }

    public static List<ShadowStackSpace> scope() {
        return scope(ShadowStackSpace.Bug.NONE);
    }

    static List<ShadowStackSpace> scope(ShadowStackSpace.Bug bug) {
        long base = X86_64Pte.P | X86_64Pte.US | X86_64Pte.A;
        long[] optional = {X86_64Pte.RW, X86_64Pte.D, X86_64Pte.SAVED_DIRTY, X86_64Pte.NX};
        List<ShadowStackSpace> out = new ArrayList<>();
        for (ShadowStackSpace.Area a : ShadowStackSpace.Area.values()) {
            for (boolean made : new boolean[] {false, true}) {
                for (boolean written : new boolean[] {false, true}) {
                    if (a == ShadowStackSpace.Area.NONE) {
                        if (!written) {
                            out.add(ShadowStackSpace.arbitrary(PAGES, FRAMES, bug, a, made, 0, false));
                        }
                        continue;
                    }
                    out.add(ShadowStackSpace.arbitrary(PAGES, FRAMES, bug, a, made, 0, false));
                    for (int m = 0; m < 1 << optional.length; m++) {
                        long raw = base;
                        for (int i = 0; i < optional.length; i++) {
                            raw |= (m & 1 << i) != 0 ? optional[i] : 0;
                        }
                        out.add(ShadowStackSpace.arbitrary(PAGES, FRAMES, bug, a, made, raw, written));
                    }
                }
            }
        }
        return out;
    }

    public static TransitionSystem<ShadowStackSpace> system() {
        return system(ShadowStackSpace.Bug.NONE);
    }

    static TransitionSystem<ShadowStackSpace> system(ShadowStackSpace.Bug bug) {
        return new ShadowStackModel().build(Bounds.parse("pages=" + PAGES + ",frames=" + FRAMES + ",bug=" + bug));
    }
}
