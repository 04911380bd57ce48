package org.mmspec.tlb.smp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Violation;
import org.mmspec.frames.PhysFrame;
import org.mmspec.tlb.TlbInvariants;
import org.mmspec.vm.VmInvariants;

/**
 * The TLB chapter's invariants evaluated over the integrated system ({@link SmpMachine}): the same
 * IDs and statements as {@link TlbInvariants}, because they are the same properties, now read off
 * real page tables, the real frame allocator and the hardware TLBs. Each combines the state now
 * with the machine's ghost record of the instants inside operations ({@code spec/tlb.md} §7.3).
 * {@link #ALL} adds every vm invariant over {@link SmpMachine#vm()}, so the integration is also
 * checked not to break the address spaces.
 *
 * <p>TLB-5 and TLB-6 (no deadlock, no lost acknowledgement) are not state predicates here: the
 * executor runs each shootdown to completion and fails with {@code TLB-6} if an acknowledgement can
 * no longer arrive; the interleavings of concurrent shootdowns are the {@code tlb-shootdown} model's.
 */
public final class SmpInvariants {
    private SmpInvariants() {
    }

    /** TLB-1 over the integrated system: no shootdown completed while a CPU of its mask still cached a frame-stale entry. */
    public static final Invariant<SmpMachine> TLB_1 = Invariant.of("TLB-1", TlbInvariants.TLB_1.statement(),
            m -> ghost(m, "TLB-1"));

    /** TLB-2: no frame is free in the allocator while a TLB reaches it, now or at any free so far. */
    public static final Invariant<SmpMachine> TLB_2 = Invariant.of("TLB-2", TlbInvariants.TLB_2.statement(), m -> {
        Optional<String> g = ghost(m, "TLB-2");
        if (g.isPresent()) {
            return g;
        }
        for (int c = 0; c < m.cpus(); c++) {
            for (int p = 0; p < m.pages(); p++) {
                Optional<PhysFrame> f = m.cachedFrame(c, p);
                if (f.isPresent() && m.vm().frames().isFree(f.get())) {
                    return Invariant.broken("frame %d is free, but cpu%d caches p%d -> it: %s", f.get().number(), c, p,
                            m.renderTlb(c));
                }
            }
        }
        return Invariant.holds();
    });

    /** TLB-3: no CPU holds a writable entry its page table no longer allows (mprotect and fork have returned). */
    public static final Invariant<SmpMachine> TLB_3 = Invariant.of("TLB-3", TlbInvariants.TLB_3.statement(), m -> {
        Optional<String> g = ghost(m, "TLB-3");
        if (g.isPresent()) {
            return g;
        }
        for (int c = 0; c < m.cpus(); c++) {
            for (int p = 0; p < m.pages(); p++) {
                Optional<String> s = m.staleness(c, p);
                if (s.isPresent() && s.get().startsWith("permission")) {
                    return Invariant.broken("between operations cpu%d caches p%d %s", c, p, s.get());
                }
            }
        }
        return Invariant.holds();
    });

    /**
     * TLB-4: between operations a frame-stale entry exists only lazily: its frame waits on the
     * deferred-free list for a generation the holding CPU has not reached.
     */
    public static final Invariant<SmpMachine> TLB_4 = Invariant.of("TLB-4", TlbInvariants.TLB_4.statement(), m -> {
        for (int c = 0; c < m.cpus(); c++) {
            for (int p = 0; p < m.pages(); p++) {
                Optional<String> s = m.staleness(c, p);
                if (s.isEmpty() || !s.get().startsWith("frame")) {
                    continue;
                }
                long f = m.cachedFrame(c, p).orElseThrow().number();
                Optional<Integer> tag = m.deferredTag(f);
                if (tag.isEmpty() || tag.get() <= m.localGen(c)) {
                    return Invariant.broken("cpu%d caches p%d %s, and frame %d %s", c, p, s.get(), f,
                            tag.isEmpty() ? "is not on the deferred-free list"
                                    : "waits for generation " + tag.get() + " which cpu" + c + " claims to have reached");
                }
            }
        }
        return Invariant.holds();
    });

    /** The TLB invariants of the integrated system. */
    public static final InvariantSet<SmpMachine> TLB = InvariantSet.of("tlb-smp", List.of(TLB_1, TLB_2, TLB_3, TLB_4),
            SmpMachine::toString);

    /** The TLB invariants, then every vm invariant over the machine's address spaces. */
    public static final InvariantSet<SmpMachine> ALL = InvariantSet.of("tlb-smp", all(), SmpMachine::toString);

    private static List<Invariant<SmpMachine>> all() {
        List<Invariant<SmpMachine>> out = new ArrayList<>(TLB.invariants());
        for (Invariant<org.mmspec.vm.VmSystem> v : VmInvariants.ALL.invariants()) {
            out.add(Invariant.of(v.id(), v.statement(), m -> v.evaluate(m.vm()).map(Violation::detail)));
        }
        return out;
    }

    private static Optional<String> ghost(SmpMachine m, String id) {
        for (String g : m.ghost()) {
            if (g.startsWith(id + "|")) {
                return Invariant.broken("%s", g.substring(id.length() + 1));
            }
        }
        return Invariant.holds();
    }
}
