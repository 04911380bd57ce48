package org.mmspec.tlb;

import java.util.List;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The TLB chapter's invariants over {@link TlbState}, each defined once in {@code spec/tlb.md}.
 * The global invariant is their conjunction, {@link #ALL}; the explorer checks it in every state.
 *
 * <p>Words used below. An entry for page {@code p} is <em>granted</em> when the PTE of {@code p}
 * is present, maps the same frame, and allows at least the entry's permissions. An entry is
 * <em>frame-stale</em> when the PTE is absent or maps another frame, and
 * <em>permission-stale</em> when it maps the same frame but allows a write the PTE no longer
 * allows. An operation is <em>completed</em> once its initiator is past
 * {@link ShootdownProtocol#completionIndex}, and <em>in flight</em> between its PTE write and its
 * return (it holds its page lock meanwhile).
 */
public final class TlbInvariants {
    private TlbInvariants() {
    }

    /** TLB-1: after a synchronous shootdown completes, no CPU holds a frame-stale entry for its pages. */
    public static final Invariant<TlbState> TLB_1 = Invariant.of("TLB-1",
            "after a shootdown completes, no CPU holds a translation for its pages that the page table no longer maps",
            s -> {
                for (int i = 0; i < s.cpus.length; i++) {
                    KernelOp op = completedSync(s, i);
                    if (op == null) {
                        continue;
                    }
                    int pages = s.model.protocol.pagesOf(op);
                    for (int c = 0; c < s.cpus.length; c++) {
                        Tlb t = s.cpus[c].tlb;
                        for (int p = 0; p < s.pt.pages(); p++) {
                            if ((pages >>> p & 1) != 0 && frameStale(t.entry(p), s.pt.pte(p))) {
                                return Invariant.broken("cpu%d's %s completed, but cpu%d still caches p%d -> %s (PTE %s)", i,
                                        op, c, p, Pte.render(t.entry(p)), Pte.render(s.pt.pte(p)));
                            }
                        }
                        if (op.kind() == KernelOp.Kind.RECLAIM && t.pwc() && !s.pt.tablePresent()) {
                            return Invariant.broken("cpu%d's reclaim completed, but cpu%d still caches the unlinked leaf table", i, c);
                        }
                    }
                }
                return Invariant.holds();
            });

    /** TLB-2: no frame on the allocator's free list is reachable through any TLB. */
    public static final Invariant<TlbState> TLB_2 = Invariant.of("TLB-2",
            "a frame is never free (so reallocatable) while any CPU's TLB may still translate to it",
            s -> {
                for (int f = 0; f < s.frames.frames(); f++) {
                    if (!s.frames.free(f)) {
                        continue;
                    }
                    for (int c = 0; c < s.cpus.length; c++) {
                        if (s.cpus[c].tlb.refersTo(f, s.pt.tableFrame(), s.pt.pages())) {
                            return Invariant.broken("f%d is free but cpu%d's TLB still reaches it: %s", f, c,
                                    s.cpus[c].tlb.render(s.pt.pages()));
                        }
                    }
                }
                return Invariant.holds();
            });

    /** TLB-3: once mprotect's shootdown completed, no CPU grants a write the PTE no longer grants. */
    public static final Invariant<TlbState> TLB_3 = Invariant.of("TLB-3",
            "a permission downgrade is in force on every CPU before mprotect returns",
            s -> {
                for (int i = 0; i < s.cpus.length; i++) {
                    KernelOp op = completedSync(s, i);
                    if (op == null || op.kind() != KernelOp.Kind.MPROTECT) {
                        continue;
                    }
                    for (int c = 0; c < s.cpus.length; c++) {
                        for (int p = 0; p < s.pt.pages(); p++) {
                            int e = s.cpus[c].tlb.entry(p);
                            if ((op.pages() >>> p & 1) != 0 && permissionStale(e, s.pt.pte(p))) {
                                return Invariant.broken("cpu%d's %s completed, but cpu%d still caches p%d writable (%s, PTE %s)",
                                        i, op, c, p, Pte.render(e), Pte.render(s.pt.pte(p)));
                            }
                        }
                    }
                }
                return Invariant.holds();
            });

    /**
     * TLB-4: every entry the page table no longer grants is accounted for: an operation on its
     * page is in flight, or (lazy) its frame waits on the deferred-free list for a generation
     * this CPU has not reached.
     */
    public static final Invariant<TlbState> TLB_4 = Invariant.of("TLB-4",
            "stale entries exist only while their operation is in flight or, lazily, while their frame waits on the deferred-free list",
            s -> {
                int inFlight = inFlightPages(s);
                for (int c = 0; c < s.cpus.length; c++) {
                    Tlb t = s.cpus[c].tlb;
                    for (int p = 0; p < s.pt.pages(); p++) {
                        int e = t.entry(p);
                        int pte = s.pt.pte(p);
                        if (!frameStale(e, pte) && !permissionStale(e, pte) || (inFlight >>> p & 1) != 0) {
                            continue;
                        }
                        int f = Pte.frame(e);
                        boolean lazyCovered = frameStale(e, pte) && s.frames.deferred(f)
                                && s.cpus[c].localGen < s.frames.tag(f);
                        if (!lazyCovered) {
                            return Invariant.broken("cpu%d caches p%d -> %s but the PTE is %s, no operation on p%d is in flight"
                                    + " and f%d is %s (cpu%d at generation %d)", c, p, Pte.render(e), Pte.render(pte), p, f,
                                    s.frames.deferred(f) ? "deferred@" + s.frames.tag(f) : "not deferred", c, s.cpus[c].localGen);
                        }
                    }
                }
                return Invariant.holds();
            });

    /** TLB-5: some CPU can always make kernel progress until every script is done and every IPI served. */
    public static final Invariant<TlbState> TLB_5 = Invariant.of("TLB-5",
            "no deadlock: while work remains (an operation, a pending or half-served IPI), some kernel step is enabled",
            s -> {
                boolean work = false;
                for (int c = 0; c < s.cpus.length; c++) {
                    TlbState.Cpu cpu = s.cpus[c];
                    work |= s.currentOp(c) != null || cpu.mailbox != 0 || cpu.serving >= 0;
                }
                return Invariant.require(!work || s.model.kernelCanStep(s),
                        "work remains but no CPU can take a kernel step (only the hardware moves)");
            });

    /** TLB-6: every IPI sent is acknowledged, pending, or being served. */
    public static final Invariant<TlbState> TLB_6 = Invariant.of("TLB-6",
            "no lost acknowledgement: each target of a sent, unfinished shootdown has acked, has the IPI pending, or is serving it",
            s -> {
                for (int i = 0; i < s.cpus.length; i++) {
                    TlbState.Cpu cpu = s.cpus[i];
                    KernelOp op = s.currentOp(i);
                    if (op == null || cpu.request == null || s.model.protocol.lazy(op)) {
                        continue;
                    }
                    List<ShootdownProtocol.InitiatorStep> steps = s.model.protocol.initiatorSteps(op);
                    boolean sent = cpu.pc > steps.indexOf(ShootdownProtocol.InitiatorStep.SEND_IPIS);
                    boolean waiting = cpu.pc <= steps.indexOf(ShootdownProtocol.InitiatorStep.WAIT_ACKS);
                    if (!sent || !waiting) {
                        continue;
                    }
                    for (int t = 0; t < s.cpus.length; t++) {
                        if (!cpu.request.cpuMask().contains(t)) {
                            continue;
                        }
                        boolean ok = (cpu.acks >>> t & 1) != 0 || (s.cpus[t].mailbox >>> i & 1) != 0 || s.cpus[t].serving == i;
                        if (!ok) {
                            return Invariant.broken("cpu%d waits for cpu%d's ack, but cpu%d neither acked, nor has the IPI, nor serves it",
                                    i, t, t);
                        }
                    }
                }
                return Invariant.holds();
            });

    /**
     * TLB-7: a shootdown whose pages include no global page drops no global entry (unless FULL is
     * the configured mode). Judged on the ghost ({@link TlbState#costBreach()}): the first local
     * invalidation that broke a cost rule.
     */
    public static final Invariant<TlbState> TLB_7 = Invariant.of("TLB-7",
            "a shootdown whose pages include no global page never drops a global entry",
            s -> s.costBreach == null ? Invariant.holds()
                    : detail(FlushCost.globalKept(s.model.config, s.costBreach, s.pt.pages())));

    /** TLB-8: a batch at or under the threshold keeps its configured SINGLE or RANGE mode. */
    public static final Invariant<TlbState> TLB_8 = Invariant.of("TLB-8",
            "a batch at or under the range threshold never becomes a flush of everything",
            s -> {
                for (int c = 0; c < s.cpus.length; c++) {
                    TlbShootdown r = s.cpus[c].request;
                    String bad = r == null ? null : FlushCost.thresholdKept(s.model.config, r);
                    if (bad != null) {
                        return Invariant.broken("cpu%d's %s: %s", c, s.currentOp(c), withoutId(bad));
                    }
                }
                return Invariant.holds();
            });

    /** TLB-9: an invalidation drops only entries its chosen mode must drop. Judged on the ghost, as TLB-7. */
    public static final Invariant<TlbState> TLB_9 = Invariant.of("TLB-9",
            "an invalidation drops no more entries than its chosen flush mode must drop",
            s -> s.costBreach == null ? Invariant.holds() : detail(FlushCost.dropsWithinMode(s.costBreach, s.pt.pages())));

    /** The conjunction, in the order counterexamples name them. */
    public static final InvariantSet<TlbState> ALL = InvariantSet.of("tlb",
            List.of(TLB_1, TLB_2, TLB_3, TLB_4, TLB_5, TLB_6, TLB_7, TLB_8, TLB_9), TlbState::toString);

    private static java.util.Optional<String> detail(String brokenOrNull) {
        return brokenOrNull == null ? Invariant.holds() : Invariant.broken("%s", withoutId(brokenOrNull));
    }

    /** FlushCost's details start with the ID, which the threaded executor records as it is; a Violation adds its own. */
    private static String withoutId(String detail) {
        return detail.substring(detail.indexOf(": ") + 2);
    }

    public static InvariantSet<TlbState> all() {
        return ALL;
    }

    static boolean frameStale(int entry, int pte) {
        return Pte.present(entry) && (!Pte.present(pte) || Pte.frame(entry) != Pte.frame(pte));
    }

    static boolean permissionStale(int entry, int pte) {
        return Pte.present(entry) && Pte.present(pte) && Pte.frame(entry) == Pte.frame(pte) && Pte.writable(entry)
                && !Pte.writable(pte);
    }

    /** The synchronous operation of CPU {@code i} if it has completed and not yet returned. */
    private static KernelOp completedSync(TlbState s, int i) {
        KernelOp op = s.currentOp(i);
        if (op == null || s.model.protocol.lazy(op)) {
            return null;
        }
        return s.cpus[i].pc > s.model.protocol.completionIndex(op) ? op : null;
    }

    /**
     * Pages locked by an operation between its PTE write and its return. Until an operation
     * completes its stale entries are expected; from completion to return TLB-1 and TLB-3 speak
     * for its pages; TLB-4 takes over once it returned.
     */
    private static int inFlightPages(TlbState s) {
        int pages = 0;
        for (int i = 0; i < s.cpus.length; i++) {
            KernelOp op = s.currentOp(i);
            int pc = s.cpus[i].pc;
            if (op != null && pc >= 1) {
                pages |= s.model.protocol.pagesOf(op);
            }
        }
        return pages;
    }
}
