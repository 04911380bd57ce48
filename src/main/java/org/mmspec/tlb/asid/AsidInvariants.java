package org.mmspec.tlb.asid;

import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;

/**
 * The tagged-TLB invariants ASID-1..4 of {@code spec/tlb.md} section 8, over {@link AsidState}.
 * ASID-1 is the safety property a user of the machine sees; ASID-2..4 are the bookkeeping facts
 * that make it inductive: tags name one space at a time (2), an entry is never usable by a space
 * it was not filled from unless a flush is owed first (3), and an entry its own space's page table
 * no longer backs survives only where a flush is owed (4).
 */
public final class AsidInvariants {
    private AsidInvariants() {
    }

    public static final Invariant<AsidState> ASID_1 = Invariant.of("ASID-1",
            "A CPU running an address space in user mode translates only through entries that agree with that "
                    + "space's page table: every entry under its current tag maps the frame, and at most the "
                    + "permission, the space's PTE gives.",
            AsidInvariants::asid1);

    public static final Invariant<AsidState> ASID_2 = Invariant.of("ASID-2",
            "A tag names at most one address space: no two spaces hold the same ASID in the current generation and "
                    + "no two CPUs run different spaces under one ASID (AArch64, RISC-V); no two PCID slots of a CPU "
                    + "hold one space and a CPU's loaded slot holds the space it runs (x86).",
            AsidInvariants::asid2);

    public static final Invariant<AsidState> ASID_3 = Invariant.of("ASID-3",
            "An entry is usable only by the address space it was filled from: on a CPU with no rollover flush "
                    + "pending, no other space holds the entry's ASID in the current generation or runs under it "
                    + "(AArch64, RISC-V); the PCID slot of an entry holds the entry's space (x86).",
            AsidInvariants::asid3);

    public static final Invariant<AsidState> ASID_4 = Invariant.of("ASID-4",
            "An entry that no longer agrees with its own space's page table survives only on a CPU that owes a flush "
                    + "covering it: a pending rollover flush (AArch64, RISC-V), or a PCID slot whose tlb_gen is "
                    + "behind the space's (x86), the lazy catch-up.",
            AsidInvariants::asid4);

    /** Every tagged-TLB invariant, checked in every explored state and after every random step. */
    public static final InvariantSet<AsidState> ALL = InvariantSet.of("tlb-asid", ASID_1, ASID_2, ASID_3, ASID_4);

    static Optional<String> asid1(AsidState s) {
        for (int c = 0; c < s.cfg.cpus(); c++) {
            if (!s.inUser(c)) {
                continue;
            }
            int space = s.running(c);
            for (TaggedEntry e : s.tlb(c)) {
                if (e.tag() == s.tag(c) && !s.agrees(space, e)) {
                    return Invariant.broken("cpu%d runs %s under tag %d but caches %s; %s's page table is [%s]",
                            c, AsidState.spaceName(space), s.tag(c), e, AsidState.spaceName(space), s.pageTable(space));
                }
            }
        }
        return Invariant.holds();
    }

    static Optional<String> asid2(AsidState s) {
        if (s.cfg.arch().generational()) {
            for (int x = 0; x < s.cfg.spaces(); x++) {
                int ctx = s.context(x);
                if (ctx != 0 && AsidState.generationOf(ctx) == s.generation()) {
                    int other = s.currentOwner(AsidState.asidOf(ctx), x);
                    if (other >= 0) {
                        return Invariant.broken("%s and %s both hold asid %d in generation %d",
                                AsidState.spaceName(x), AsidState.spaceName(other), AsidState.asidOf(ctx), s.generation());
                    }
                }
            }
            for (int c = 0; c < s.cfg.cpus(); c++) {
                for (int d = c + 1; d < s.cfg.cpus(); d++) {
                    if (s.running(c) >= 0 && s.running(d) >= 0 && s.running(c) != s.running(d) && s.tag(c) == s.tag(d)) {
                        return Invariant.broken("cpu%d runs %s and cpu%d runs %s, both under asid %d", c,
                                AsidState.spaceName(s.running(c)), d, AsidState.spaceName(s.running(d)), s.tag(c));
                    }
                }
            }
            return Invariant.holds();
        }
        for (int c = 0; c < s.cfg.cpus(); c++) {
            for (int i = 0; i < s.slots(); i++) {
                for (int j = i + 1; j < s.slots(); j++) {
                    if (s.slotSpace(c, i) >= 0 && s.slotSpace(c, i) == s.slotSpace(c, j)) {
                        return Invariant.broken("cpu%d's pcid slots %d and %d both hold %s", c, i, j,
                                AsidState.spaceName(s.slotSpace(c, i)));
                    }
                }
            }
            if (s.running(c) >= 0 && s.slotSpace(c, s.tag(c)) != s.running(c)) {
                return Invariant.broken("cpu%d runs %s on pcid slot %d, which holds %s", c,
                        AsidState.spaceName(s.running(c)), s.tag(c), AsidState.spaceName(s.slotSpace(c, s.tag(c))));
            }
        }
        return Invariant.holds();
    }

    static Optional<String> asid3(AsidState s) {
        for (int c = 0; c < s.cfg.cpus(); c++) {
            for (TaggedEntry e : s.tlb(c)) {
                if (s.cfg.arch().generational()) {
                    if (s.flushPending(c)) {
                        break;
                    }
                    int other = s.currentOwner(e.tag(), e.owner());
                    if (other >= 0) {
                        return Invariant.broken("cpu%d caches %s, but asid %d now belongs to %s and no flush is "
                                + "pending on cpu%d", c, e, e.tag(), AsidState.spaceName(other), c);
                    }
                    if (s.running(c) >= 0 && s.running(c) != e.owner() && s.tag(c) == e.tag()) {
                        return Invariant.broken("cpu%d caches %s while it runs %s under the same asid and no "
                                + "flush is pending", c, e, AsidState.spaceName(s.running(c)));
                    }
                } else if (s.slotSpace(c, e.tag()) != e.owner()) {
                    return Invariant.broken("cpu%d caches %s in pcid slot %d, which now holds %s", c, e, e.tag(),
                            AsidState.spaceName(s.slotSpace(c, e.tag())));
                }
            }
        }
        return Invariant.holds();
    }

    static Optional<String> asid4(AsidState s) {
        for (int c = 0; c < s.cfg.cpus(); c++) {
            for (TaggedEntry e : s.tlb(c)) {
                if (s.agrees(e.owner(), e)) {
                    continue;
                }
                boolean owed = s.cfg.arch().generational() ? s.flushPending(c)
                        : s.slotSpace(c, e.tag()) == e.owner() && s.slotGen(c, e.tag()) < s.tlbGen(e.owner());
                if (!owed) {
                    return Invariant.broken("cpu%d caches %s, stale against %s's page table [%s], and owes no "
                            + "flush that covers it", c, e, AsidState.spaceName(e.owner()), s.pageTable(e.owner()));
                }
            }
        }
        return Invariant.holds();
    }
}
