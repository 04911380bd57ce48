package org.mmspec.hwsec.x86_64;

import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The shadow-stack invariants (spec/hardware-security.md, "CET shadow stacks"), stated over the
 * raw leaves of a {@link ShadowStackSpace} and checked with the MMU's own permission logic.
 */
public final class ShadowStackInvariants {
    private ShadowStackInvariants() {
    }

    /** SHSTK-1: no leaf of a shadow-stack area admits a normal store or an instruction fetch. */
    public static final Invariant<ShadowStackSpace> NOT_WRITABLE_NOT_EXECUTABLE = Invariant.of("SHSTK-1",
            "a shadow-stack page is never writable by normal stores and never executable",
            s -> forEachLeaf(s, (q, p, raw) -> s.area(q, p) == ShadowStackSpace.Area.SHADOW_STACK
                    && (ShadowStackSpace.hardwareAllowsStore(raw) || ShadowStackSpace.hardwareAllowsFetch(raw))
                    ? String.format("SHSTK-1 violated: P%d page %d of a shadow-stack area admits a %s: %s", q, p,
                            ShadowStackSpace.hardwareAllowsStore(raw) ? "normal store" : "fetch",
                            X86_64Pte.FORMAT.describe(raw, X86_64Pte.PT_DEPTH))
                    : null));

    /** SHSTK-2: only leaves of shadow-stack areas have the encoding RW=0, D=1. */
    public static final Invariant<ShadowStackSpace> ENCODING_ONLY_IN_SHADOW_STACKS = Invariant.of("SHSTK-2",
            "only pages of shadow-stack areas have the shadow-stack encoding (RW=0, D=1)",
            s -> forEachLeaf(s, (q, p, raw) -> X86_64Pte.isShadowStack(raw)
                    && s.area(q, p) != ShadowStackSpace.Area.SHADOW_STACK
                    ? String.format("SHSTK-2 violated: P%d page %d is a %s page but its leaf reads as shadow stack: %s",
                            q, p, s.area(q, p), X86_64Pte.FORMAT.describe(raw, X86_64Pte.PT_DEPTH))
                    : null));

    /** SHSTK-3: SavedDirty only on read-only leaves without D; a written frame's leaves keep D or SavedDirty. */
    public static final Invariant<ShadowStackSpace> DIRTY_SAVED = Invariant.of("SHSTK-3",
            "write-protection moves D to SavedDirty: SavedDirty only with RW=0 and D=0, and no written page loses both",
            s -> forEachLeaf(s, (q, p, raw) -> {
                boolean saved = (raw & X86_64Pte.SAVED_DIRTY) != 0;
                boolean d = (raw & X86_64Pte.D) != 0;
                if (saved && (d || (raw & X86_64Pte.RW) != 0)) {
                    return String.format("SHSTK-3 violated: P%d page %d has SavedDirty with %s", q, p,
                            X86_64Pte.FORMAT.describe(raw, X86_64Pte.PT_DEPTH));
                }
                if (s.written(ShadowStackSpace.frameOf(raw)) && !saved && !d) {
                    return String.format("SHSTK-3 violated: P%d page %d maps written frame f%d with neither D nor SavedDirty",
                            q, p, ShadowStackSpace.frameOf(raw));
                }
                return null;
            }));

    /** SHSTK-4: an area is a shadow stack exactly when map_shadow_stack made it. */
    public static final Invariant<ShadowStackSpace> ONLY_BY_MAP_SHADOW_STACK = Invariant.of("SHSTK-4",
            "an area is a shadow stack exactly when map_shadow_stack created it (mprotect converts neither way)",
            s -> {
                for (int q = 0; q < s.processes(); q++) {
                    for (int p = 0; p < s.pages(); p++) {
                        boolean ss = s.area(q, p) == ShadowStackSpace.Area.SHADOW_STACK;
                        if (ss != s.madeByMapShadowStack(q, p)) {
                            return Invariant.broken("SHSTK-4 violated: P%d page %d is %s but %s by map_shadow_stack", q, p,
                                    s.area(q, p), s.madeByMapShadowStack(q, p) ? "was made" : "was not made");
                        }
                    }
                }
                return Invariant.holds();
            });

    @SuppressWarnings("unchecked")
    public static final InvariantSet<ShadowStackSpace> ALL = InvariantSet.of("shadow-stack",
            java.util.List.of(NOT_WRITABLE_NOT_EXECUTABLE, ENCODING_ONLY_IN_SHADOW_STACKS, DIRTY_SAVED,
                    ONLY_BY_MAP_SHADOW_STACK),
            ShadowStackSpace::toString);

    @FunctionalInterface
    private interface LeafCheck {
        String check(int q, int page, long raw);
    }

    private static Optional<String> forEachLeaf(ShadowStackSpace s, LeafCheck c) {
        for (int q = 0; q < s.processes(); q++) {
            for (int p = 0; p < s.pages(); p++) {
                long raw = s.pte(q, p);
                if (raw != 0) {
                    String bad = c.check(q, p, raw);
                    if (bad != null) {
                        return Optional.of(bad);
                    }
                }
            }
        }
        return Invariant.holds();
    }
}
