package org.mmspec.tlb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.mmspec.check.InvariantSet;
import org.mmspec.check.StateCodec;
import org.mmspec.check.TransitionSystem;
import org.mmspec.check.store.Fingerprint;
import org.mmspec.check.store.Fingerprinted;
import org.mmspec.tlb.ShootdownProtocol.InitiatorStep;
import org.mmspec.tlb.ShootdownProtocol.TargetStep;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The shootdown protocol as a transition system over per-CPU steps, for the exhaustive
 * {@link org.mmspec.check.Explorer}. Every transition is one step of one CPU:
 * <ul>
 * <li>a kernel step of the CPU's current operation ({@link ShootdownProtocol#initiatorSteps});</li>
 * <li>taking a pending IPI and running the first target step, or running the next target step
 *     of the IPI being served (an IPI handler runs to completion before the interrupted kernel
 *     code continues);</li>
 * <li>a lazy catch-up flush, when the CPU's generation is behind;</li>
 * <li>a hardware move: speculative fill of any page from the current page table, eviction of any
 *     entry, caching or evicting the leaf-table pointer ({@link Mmu}; the last two only in
 *     configurations that reclaim the table). An access is a hit (no state change) or a walk that
 *     fills, so accesses add no states beyond the fills and are not offered separately.</li>
 * </ul>
 * plus one shared step, the release of deferred frames whose generation every CPU reached.
 *
 * <p>All protocol decisions come from {@link ShootdownProtocol}; this class only moves immutable
 * state. With {@link TlbConfig#symmetry()} the key is the minimum over every permutation that
 * exchanges CPUs with equal scripts ({@link #symmetries}), so states that differ only by renaming
 * interchangeable CPUs are explored once.
 */
public final class ShootdownModel implements TransitionSystem<TlbState> {
    final TlbConfig config;
    final ShootdownProtocol protocol;
    final KernelOp[][] scripts;
    final int[] identity;
    private final int[][] perms;
    /** {@code renames[i]} is {@link TlbState#renameTable} of {@code perms[i]}. */
    private final int[][] renames;
    final int[] identityRenamed;
    private final boolean modelPwc;
    private final InvariantSet<TlbState> invariants;
    private final ShootdownFootprints footprints;

    public ShootdownModel(TlbConfig config) {
        this.config = config;
        this.protocol = new ShootdownProtocol(config);
        this.scripts = new KernelOp[config.cpus()][];
        boolean reclaim = false;
        for (int c = 0; c < config.cpus(); c++) {
            scripts[c] = config.script(c);
            for (KernelOp op : scripts[c]) {
                reclaim |= op.kind() == KernelOp.Kind.RECLAIM;
            }
        }
        this.modelPwc = reclaim;
        this.identity = new int[config.cpus()];
        for (int c = 0; c < identity.length; c++) {
            identity[c] = c;
        }
        this.perms = config.symmetry() ? symmetries(config) : new int[][] {identity};
        this.renames = new int[perms.length][];
        for (int i = 0; i < perms.length; i++) {
            renames[i] = TlbState.renameTable(perms[i]);
        }
        this.identityRenamed = TlbState.renameTable(identity);
        this.invariants = TlbInvariants.all();
        this.footprints = new ShootdownFootprints(config.cpus());
    }

    public TlbConfig config() {
        return config;
    }

    public ShootdownProtocol protocol() {
        return protocol;
    }

    @Override
    public String name() {
        return "tlb-shootdown";
    }

    @Override
    public List<TlbState> initialStates() {
        return List.of(initial());
    }

    public TlbState initial() {
        TlbState.Cpu[] cs = new TlbState.Cpu[config.cpus()];
        for (int c = 0; c < cs.length; c++) {
            cs[c] = new TlbState.Cpu(config.scriptId(c), 0, 0, 0, 0, -1, 0, 0, 0, null, Tlb.empty(config.tlbCapacity()));
        }
        return new TlbState(this, config.initialPageTable(), config.initialFrames(), 0, cs);
    }

    @Override
    public InvariantSet<TlbState> invariants() {
        return invariants;
    }

    @Override
    public StateCodec<TlbState> codec() {
        return new TlbStateCodec(this);
    }

    @Override
    public Object key(TlbState s) {
        long[] best = null;
        for (int i = 0; i < perms.length; i++) {
            long[] k = s.key(perms[i], renames[i]);
            if (best == null || Arrays.compare(k, best) < 0) {
                best = k;
            }
        }
        return new Key(best);
    }

    /**
     * An array key with value equality, and its own fingerprint: the explorer fingerprints every
     * successor's key, and walking this class reflectively cost about a third of the search.
     */
    private static final class Key implements Fingerprinted {
        private final long[] k;
        /** Computed on first use: a fingerprinting store never asks, an exact one always does. */
        private int hash;

        Key(long[] k) {
            this.k = k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && other.hashCode() == hashCode() && Arrays.equals(other.k, k);
        }

        @Override
        public int hashCode() {
            int h = hash;
            if (h == 0) {
                h = Arrays.hashCode(k) | 1;
                hash = h;
            }
            return h;
        }

        @Override
        public long fingerprint() {
            return Fingerprint.ofWords(k);
        }
    }

    @Override
    public void successors(TlbState s, Successors<TlbState> out) {
        kernelSteps(s, out);
        hardwareSteps(s, out);
    }

    /**
     * Every script is done and no IPI is pending or half-served (TLB-5's "no work remains"): the
     * only end of a run. A state without successors is otherwise a deadlock.
     */
    @Override
    public boolean isFinal(TlbState s) {
        for (int c = 0; c < s.cpus.length; c++) {
            TlbState.Cpu cpu = s.cpus[c];
            if (s.currentOp(c) != null || cpu.mailbox != 0 || cpu.serving >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether any kernel (non-hardware) step is enabled: TLB-5's progress test. */
    boolean kernelCanStep(TlbState s) {
        // CPU by CPU, stopping at the first that can step: TLB-5 asks this of every state, and
        // building every CPU's successors only to count them was a fifth of a search's time.
        boolean[] any = {false};
        Successors<TlbState> note = (l, n) -> any[0] = true;
        for (int c = 0; c < s.cpus.length && !any[0]; c++) {
            cpuSteps(s, c, note);
        }
        if (!any[0]) {
            releaseDeferred(s, note);
        }
        return any[0];
    }

    void kernelSteps(TlbState s, Successors<TlbState> out) {
        for (int c = 0; c < s.cpus.length; c++) {
            cpuSteps(s, c, by(c, out));
        }
        releaseDeferred(s, by(s.cpus.length, out));
    }

    /**
     * {@code out}, each step marked as taken by {@code process} for weak fairness: CPU {@code c}
     * is process {@code c}, the deferred-free release is process {@code cpus}; hardware moves
     * belong to no process (the hardware need not fill or evict, ever).
     */
    private static Successors<TlbState> by(int process, Successors<TlbState> out) {
        return (label, next) -> out.add(process, label, next);
    }

    /**
     * TLB-L1 and TLB-L2 (spec/tlb.md §4.2), one member per CPU and per (target, initiator) pair:
     * an operation past its PTE write ({@code pc >= 1}) returns ({@code pc == 0}); an IPI in a
     * target's mailbox is taken.
     */
    @Override
    public List<org.mmspec.check.Liveness<TlbState>> liveness() {
        List<org.mmspec.check.Liveness<TlbState>> out = new ArrayList<>();
        for (int c = 0; c < config.cpus(); c++) {
            int cpu = c;
            out.add(org.mmspec.check.Liveness.leadsTo("TLB-L1", "every shootdown started completes", "cpu" + c,
                    s -> s.cpus[cpu].pc >= 1, s -> s.cpus[cpu].pc == 0));
        }
        for (int t = 0; t < config.cpus(); t++) {
            for (int i = 0; i < config.cpus(); i++) {
                if (t != i) {
                    int target = t;
                    int bit = 1 << i;
                    out.add(org.mmspec.check.Liveness.leadsTo("TLB-L2", "every IPI sent is served",
                            "cpu" + i + "'s IPI to cpu" + t, s -> (s.cpus[target].mailbox & bit) != 0,
                            s -> (s.cpus[target].mailbox & bit) == 0));
                }
            }
        }
        return out;
    }

    /** What each step reads and writes, for partial-order reduction: {@link ShootdownFootprints}. */
    @Override
    public org.mmspec.check.PartialOrder<TlbState> partialOrder() {
        return footprints;
    }

    @Override
    public boolean reducesSymmetry() {
        return perms.length > 1;
    }

    /** The kernel steps CPU {@code c} can take in {@code s}, in {@link #kernelSteps}' order. */
    private void cpuSteps(TlbState s, int c, Successors<TlbState> out) {
        TlbState.Cpu cpu = s.cpus[c];
        KernelOp op = s.currentOp(c);
        if (cpu.serving >= 0) {
            targetStep(s, c, cpu.serving, out);
            return;
        }
        if (cpu.mailbox != 0 && protocol.idlePollMissesIpi(op)) {
            out.add(() -> "cpu" + c + " idle: polls need_resched and never runs the queued flush", s);
        } else if (cpu.mailbox != 0 && protocol.interruptible(op, cpu.pc)) {
            for (int i = 0; i < s.cpus.length; i++) {
                if ((cpu.mailbox >>> i & 1) != 0) {
                    targetStep(s, c, i, out);
                }
            }
        }
        if (op != null) {
            initiatorStep(s, c, op, out);
        }
        if (cpu.localGen < s.gen) {
            TlbState.Cpu[] cs = s.cpus.clone();
            cs[c] = cpu.withTlb(protocol.catchUp(cpu.tlb)).withLocalGen(s.gen);
            int cpuId = c;
            out.add(() -> "cpu" + cpuId + " lazy catch-up: full local flush, generation " + cpu.localGen + " -> " + s.gen,
                    s.with(s.pt, s.frames, s.gen, cs));
        }
    }

    private void releaseDeferred(TlbState s, Successors<TlbState> out) {
        int[] gens = new int[s.cpus.length];
        for (int c = 0; c < gens.length; c++) {
            gens[c] = s.cpus[c].localGen;
        }
        int release = 0;
        for (int f = 0; f < s.frames.frames(); f++) {
            if (s.frames.deferred(f) && protocol.mayRelease(s.frames.tag(f), gens)) {
                release |= 1 << f;
            }
        }
        if (release != 0) {
            int released = release;
            out.add(() -> "kernel: release deferred " + frameList(released) + " to the allocator (CPU generations "
                    + Arrays.toString(gens) + ")", s.with(s.pt, s.frames.release(release), s.gen, s.cpus));
        }
    }

    private void targetStep(TlbState s, int c, int initiator, Successors<TlbState> out) {
        TlbState.Cpu cpu = s.cpus[c];
        List<TargetStep> steps = protocol.targetSteps();
        boolean taking = cpu.serving < 0;
        int idx = taking ? 0 : cpu.servePc;
        TargetStep step = steps.get(idx);
        TlbState.Cpu[] cs = s.cpus.clone();
        TlbState.Cpu me = taking ? cpu.withMailbox(cpu.mailbox & ~(1 << initiator)) : cpu;
        TlbShootdown req = s.cpus[initiator].request;
        FlushCost.Flush flush = null;
        if (step == TargetStep.INVALIDATE && req != null) {
            flush = new FlushCost.Flush(c, req, me.tlb, protocol.invalidate(me.tlb, req));
            me = me.withTlb(flush.after());
        }
        // req == null: the target acknowledged before it invalidated (the ACK_BEFORE_INVALIDATE
        // bug) and the initiator has since returned; the flush information lived in the
        // initiator's frame (Linux's flush_tlb_info is on its stack) and is gone, so the handler
        // has nothing to invalidate. The stale entries it keeps are what TLB-1 and TLB-3 catch.
        boolean last = idx + 1 == steps.size();
        me = last ? me.withServing(-1, 0) : me.withServing(initiator, idx + 1);
        cs[c] = me;
        if (step == TargetStep.ACK) {
            cs[initiator] = cs[initiator].withAcks(cs[initiator].acks | 1 << c);
        }
        TlbState next = s.with(s.pt, s.frames, s.gen, cs);
        out.add(() -> "cpu" + c + " " + (taking ? "takes IPI from cpu" + initiator + ", " : "")
                + (step == TargetStep.ACK ? "ack cpu" + initiator
                        : req == null ? "invalidate nothing: cpu" + initiator + " has returned and its request is gone"
                                : "invalidate " + TlbShootdown.renderPages(req.pages()) + " (" + req.mode() + ")"),
                flush == null ? next : next.noting(flush));
    }

    private boolean pagesLocked(TlbState s, int self, int pages) {
        for (int d = 0; d < s.cpus.length; d++) {
            if (d != self && s.cpus[d].pc >= 1) {
                KernelOp other = s.currentOp(d);
                if (other != null && (protocol.pagesOf(other) & pages) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private void initiatorStep(TlbState s, int c, KernelOp op, Successors<TlbState> out) {
        TlbState.Cpu cpu = s.cpus[c];
        List<InitiatorStep> steps = protocol.initiatorSteps(op);
        InitiatorStep step = steps.get(cpu.pc);
        TlbState.Cpu[] cs = s.cpus.clone();
        switch (step) {
            case WRITE_PTES -> {
                if (pagesLocked(s, c, protocol.pagesOf(op))) {
                    return;
                }
                ShootdownProtocol.Plan plan = protocol.plan(c, op, s.pt, s.frames);
                if (plan == null) {
                    return;
                }
                cs[c] = cpu.withOp(cpu.opIndex, cpu.pc + 1, 0, plan.toFree(), plan.request());
                out.add(() -> "cpu" + c + " " + op + ": write PTEs " + ptDiff(s.pt, plan.pageTable()) + "; request " + plan.request(),
                        s.with(plan.pageTable(), plan.frames(), s.gen, cs));
            }
            case SEND_IPIS -> {
                int mask = cpu.request.cpuMask().bits();
                for (int t = 0; t < cs.length; t++) {
                    if ((mask >>> t & 1) != 0) {
                        cs[t] = cs[t].withMailbox(cs[t].mailbox | 1 << c);
                    }
                }
                cs[c] = cs[c].withPc(cpu.pc + 1).withAcks(0);
                out.add(() -> "cpu" + c + " " + op + ": send IPIs to " + cpu.request.cpuMask() + " (modelled cost "
                        + config.cost().render(cpu.request) + ")", s.with(s.pt, s.frames, s.gen, cs));
            }
            case INVALIDATE_LOCAL -> {
                FlushCost.Flush flush = new FlushCost.Flush(c, cpu.request, cpu.tlb, protocol.invalidate(cpu.tlb, cpu.request));
                cs[c] = cpu.withTlb(flush.after()).withPc(cpu.pc + 1);
                out.add(() -> "cpu" + c + " " + op + ": invalidate locally " + TlbShootdown.renderPages(cpu.request.pages()) + " ("
                        + cpu.request.mode() + ")", s.with(s.pt, s.frames, s.gen, cs).noting(flush));
            }
            case WAIT_ACKS -> {
                if (!protocol.acknowledged(cpu.acks, cpu.request)) {
                    return;
                }
                cs[c] = cpu.withPc(cpu.pc + 1);
                out.add(() -> "cpu" + c + " " + op + ": all acknowledgements in", s.with(s.pt, s.frames, s.gen, cs));
            }
            case FREE_FRAMES -> {
                cs[c] = cpu.withOp(cpu.opIndex, cpu.pc + 1, cpu.acks, 0, cpu.request);
                out.add(() -> "cpu" + c + " " + op + ": free " + frameList(cpu.toFree) + " to the allocator",
                        s.with(s.pt, s.frames.release(cpu.toFree), s.gen, cs));
            }
            case DEFER_FREE -> {
                int g = s.gen + 1;
                cs[c] = cpu.withOp(cpu.opIndex, cpu.pc + 1, cpu.acks, 0, cpu.request)
                        .withLocalGen(protocol.localGenAfterDefer(cpu.localGen, g));
                out.add(() -> "cpu" + c + " " + op + ": defer " + frameList(cpu.toFree) + " at generation " + g,
                        s.with(s.pt, s.frames.defer(cpu.toFree, g), g, cs));
            }
            case RETURN -> {
                cs[c] = cpu.withOp(cpu.opIndex + 1, 0, 0, 0, null);
                out.add(() -> "cpu" + c + " " + op + ": returns", s.with(s.pt, s.frames, s.gen, cs));
            }
            default -> throw new IllegalStateException(step.toString());
        }
    }

    private void hardwareSteps(TlbState s, Successors<TlbState> out) {
        for (int c = 0; c < s.cpus.length; c++) {
            Tlb tlb = s.cpus[c].tlb;
            int cpuId = c;
            for (int p = 0; p < config.pages(); p++) {
                int page = p;
                if (Mmu.canFill(tlb, s.pt, p)) {
                    out.add(() -> "hw cpu" + cpuId + " fills p" + page + " (" + Pte.render(s.pt.pte(page)) + ")",
                            s.withTlb(c, Mmu.fill(tlb, s.pt, p)));
                } else if (tlb.holds(p)) {
                    out.add(() -> "hw cpu" + cpuId + " evicts p" + page, s.withTlb(c, Mmu.evict(tlb, p)));
                }
            }
            if (modelPwc) {
                if (Mmu.canCacheTable(tlb, s.pt)) {
                    out.add(() -> "hw cpu" + cpuId + " caches the leaf table pointer", s.withTlb(c, Mmu.cacheTable(tlb)));
                } else if (tlb.pwc()) {
                    out.add(() -> "hw cpu" + cpuId + " evicts the leaf table pointer", s.withTlb(c, Mmu.evictTable(tlb)));
                }
            }
        }
    }

    private static String ptDiff(PageTable before, PageTable after) {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < before.pages(); p++) {
            if (before.pte(p) != after.pte(p)) {
                sb.append(sb.length() == 0 ? "" : ", ").append('p').append(p).append(": ").append(Pte.render(before.pte(p)))
                        .append(" -> ").append(Pte.render(after.pte(p)));
            }
        }
        if (before.tablePresent() && !after.tablePresent()) {
            sb.append(sb.length() == 0 ? "" : ", ").append("unlink leaf table f").append(before.tableFrame());
        }
        return sb.toString();
    }

    static String frameList(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int f = 0; mask >>> f != 0; f++) {
            if ((mask >>> f & 1) != 0) {
                sb.append(sb.length() == 0 ? "f" : ",f").append(f);
            }
        }
        return sb.length() == 0 ? "no frames" : sb.toString();
    }

    /** The timeline rendering of a state: shared part, then one line per CPU. */
    String render(TlbState s) {
        StringBuilder sb = new StringBuilder();
        sb.append(s.pt).append(' ').append(s.frames);
        if (config.lazy()) {
            sb.append(" gen ").append(s.gen);
        }
        for (int c = 0; c < s.cpus.length; c++) {
            TlbState.Cpu cpu = s.cpus[c];
            KernelOp op = s.currentOp(c);
            sb.append(String.format(Locale.ROOT, "%n  cpu%d ", c));
            if (op == null) {
                sb.append("done");
            } else if (cpu.pc == 0) {
                sb.append("next ").append(op);
            } else {
                sb.append(op).append(" @").append(protocol.initiatorSteps(op).get(cpu.pc));
                if (cpu.request != null && !cpu.request.cpuMask().isEmpty()) {
                    sb.append(" acks").append(CpuMask.ofBits(cpu.acks)).append(" of ").append(cpu.request.cpuMask());
                }
            }
            if (cpu.mailbox != 0) {
                sb.append(" mailbox").append(CpuMask.ofBits(cpu.mailbox));
            }
            if (cpu.serving >= 0) {
                sb.append(" serving cpu").append(cpu.serving).append(" @").append(protocol.targetSteps().get(cpu.servePc));
            }
            if (config.lazy()) {
                sb.append(" gen ").append(cpu.localGen);
            }
            sb.append(" TLB").append(cpu.tlb.render(config.pages()));
        }
        return sb.toString();
    }

    /**
     * The symmetry group of a configuration: the permutations that only exchange CPUs running
     * equal scripts. A CPU keeps its script for ever, so these are exactly the renamings that map
     * reachable states to reachable states; the rest would only cost time.
     */
    static int[][] symmetries(TlbConfig config) {
        List<int[]> out = new ArrayList<>();
        for (int[] p : permutations(config.cpus())) {
            boolean ok = true;
            for (int c = 0; c < p.length && ok; c++) {
                ok = config.scriptId(c) == config.scriptId(p[c]);
            }
            if (ok) {
                out.add(p);
            }
        }
        return out.toArray(new int[0][]);
    }

    static int[][] permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out.toArray(new int[0][]);
    }

    private static void permute(int[] cur, boolean[] used, int i, List<int[]> out) {
        if (i == cur.length) {
            out.add(cur.clone());
            return;
        }
        for (int v = 0; v < cur.length; v++) {
            if (!used[v]) {
                used[v] = true;
                cur[i] = v;
                permute(cur, used, i + 1, out);
                used[v] = false;
            }
        }
    }
}
