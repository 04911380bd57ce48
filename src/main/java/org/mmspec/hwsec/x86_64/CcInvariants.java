package org.mmspec.hwsec.x86_64;

import java.util.List;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;

/**
 * The confidential-memory invariants (spec/hardware-security.md, "SEV and TDX"), stated over the
 * raw entries of a {@link CcGuest} and the CPUs' cached translations.
 */
public final class CcInvariants {
    private CcInvariants() {
    }

    /** CC-1: every translation of a page, in the table or in any TLB, agrees on private or shared. */
    public static final Invariant<CcGuest> ONE_STATE = Invariant.of("CC-1",
            "no page is shared and private at once: every cached translation agrees with the leaf, and a page being "
                    + "converted is cached nowhere once its shootdown step is done",
            g -> {
                for (int p = 0; p < g.pages(); p++) {
                    for (int c = 0; c < g.cpus(); c++) {
                        if (!g.cpuHolds(c, p)) {
                            continue;
                        }
                        long raw = g.pte(p);
                        if (raw != 0 && g.cachedPrivate(c, p) != g.mode().isPrivate(raw)) {
                            return Invariant.broken("CC-1 violated: cpu%d caches page %d as %s, the leaf says %s", c, p,
                                    g.cachedPrivate(c, p) ? "private" : "shared", g.mode().describe(raw));
                        }
                        if (raw == 0 && !(g.converting() == p && g.phase() == CcGuest.Phase.UNMAPPED)) {
                            return Invariant.broken("CC-1 violated: cpu%d still caches page %d (%s) at conversion phase %s",
                                    c, p, g.cachedPrivate(c, p) ? "private" : "shared", g.phase());
                        }
                    }
                }
                return Invariant.holds();
            });

    /** CC-2: the DMA buffer is mapped shared. */
    public static final Invariant<CcGuest> DMA_SHARED = Invariant.of("CC-2",
            "a DMA buffer is always shared",
            g -> Invariant.require(g.pte(CcGuest.DMA_BUFFER) != 0 && !g.mode().isPrivate(g.pte(CcGuest.DMA_BUFFER)),
                    "CC-2 violated: the DMA buffer's leaf is %s", g.pte(CcGuest.DMA_BUFFER) == 0 ? "absent"
                            : g.mode().describe(g.pte(CcGuest.DMA_BUFFER))));

    /** CC-3: the table pointer and kernel data are private, and no leaf maps the table frame shared. */
    public static final Invariant<CcGuest> TABLES_AND_KERNEL_PRIVATE = Invariant.of("CC-3",
            "page-table frames and kernel data are always private",
            g -> {
                if (!g.mode().isPrivate(g.tablePointer())) {
                    return Invariant.broken("CC-3 violated: the page table is linked %s", g.mode().describe(g.tablePointer()));
                }
                long kd = g.pte(CcGuest.KERNEL_DATA);
                if (kd == 0 || !g.mode().isPrivate(kd)) {
                    return Invariant.broken("CC-3 violated: kernel data is %s", kd == 0 ? "unmapped" : g.mode().describe(kd));
                }
                for (int p = 0; p < g.pages(); p++) {
                    long raw = g.pte(p);
                    if (raw != 0 && g.mode().frame(raw).number() == CcGuest.TABLE_FRAME && !g.mode().isPrivate(raw)) {
                        return Invariant.broken("CC-3 violated: page %d maps the page-table frame shared", p);
                    }
                }
                return Invariant.holds();
            });

    /** CC-4: no frame reachable through a shared leaf holds what the guest wrote through a private one. */
    public static final Invariant<CcGuest> NO_PLAINTEXT_EXPOSED = Invariant.of("CC-4",
            "a conversion never exposes old plaintext: no shared page holds data written while it was private",
            g -> {
                for (int p = 0; p < g.pages(); p++) {
                    long raw = g.pte(p);
                    if (raw != 0 && !g.mode().isPrivate(raw) && g.content(g.mode().frame(raw)) == CcGuest.SECRET) {
                        return Invariant.broken("CC-4 violated: shared page %d (frame %s) holds private plaintext", p,
                                g.mode().frame(raw));
                    }
                }
                return Invariant.holds();
            });

    @SuppressWarnings("unchecked")
    public static final InvariantSet<CcGuest> ALL = InvariantSet.of("cc",
            List.of(ONE_STATE, DMA_SHARED, TABLES_AND_KERNEL_PRIVATE, NO_PLAINTEXT_EXPOSED), CcGuest::toString);
}
