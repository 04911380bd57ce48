package org.mmspec.tlb.smp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Access;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.TlbFlush;
import org.mmspec.paging.Translation;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.Walk;
import org.mmspec.tlb.CostModel;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.ShootdownProtocol;
import org.mmspec.tlb.ShootdownService;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbError;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.TlbPort;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/**
 * The integrated multi-CPU machine: the address spaces of a {@link VmSystem} with their real page
 * tables ({@link PageMapper} bits in simulated memory), a TLB per CPU from the trusted hardware
 * model ({@link Tlb}, filled by the real MMU walker through an adapter), the CPUs on which each
 * address space is active (its CPU mask), and the shootdown protocol of {@link ShootdownProtocol}
 * run by a sequential executor. It is the seed's {@code PageMapper.tlb_shootdown}: every munmap,
 * mprotect, copy-on-write break and page-table reclaim of the vm code goes through it.
 *
 * <p><b>Encoding.</b> {@code active[c]} is the index in {@code vm.spaces()} of the address space
 * CPU {@code c} runs ({@link #IDLE} for none); the CPU mask of space {@code i} is the set of CPUs
 * with {@code active[c] == i}. {@code tlbs[c]} is CPU {@code c}'s hardware TLB; it holds entries of
 * its active space only, because switching spaces reloads CR3 ({@link Tlb#flushNonGlobal}; user
 * pages are never global). The adapter between the hardware model's small abstract encoding and
 * real addresses changes data, not logic:
 * <ul>
 * <li>abstract page {@code p} is the 4 KiB user page {@code p} (virtual page number {@code p}); the
 *     window is the whole user space of the {@code Layout}, at most {@link TlbConfig}'s 6 pages, so
 *     every user translation a CPU can cache has a slot;</li>
 * <li>an entry's 3-bit FRAME field is an <em>alias</em>: {@code alias[a]} is the real frame number
 *     (or {@link #NO_FRAME}); an alias is reused only when no TLB mentions it, and a fill that
 *     finds none free does not happen (the hardware may always decline a speculative fill);</li>
 * <li>the paging-structure cache bit caches the leaf table of the window; {@code pwcFrame[c]} is
 *     that table's real frame, set exactly when {@code tlbs[c].pwc()}.</li>
 * </ul>
 * <b>Operations</b> run inside {@link #run}: the vm operation writes its PTEs (step 1) and reports
 * each change through {@link TlbPort#flush}, and hands frames it frees to {@link TlbPort#freeFrame}
 * / {@link TlbPort#freeTable}; the machine gathers them (Linux's {@code mmu_gather}) and, when the
 * operation's PTE work is done, runs one shootdown per address space touched: the steps of
 * {@link ShootdownProtocol#initiatorSteps} in their order, the targets' {@link
 * ShootdownProtocol#targetSteps} in an order a {@link Scheduler} picks, and only at
 * {@code FREE_FRAMES} (or lazily, {@code DEFER_FREE} and a later release) do gathered frames reach
 * the allocator. Only then does {@link #run} return, so munmap and mprotect return after step 5.
 *
 * <p><b>Ghost history.</b> Two properties are about instants inside an operation: a frame freed
 * while a TLB still reaches it (TLB-2), and a shootdown that completes while a CPU still caches a
 * translation its page table no longer grants (TLB-1, TLB-3). The executor records such instants
 * in {@code ghost} (verification-only state, part of the key), and {@link SmpInvariants} report
 * them, so no check depends on a later state to notice an earlier wrong step.
 *
 * <p>Invariants ({@link SmpInvariants}, the TLB chapter's IDs evaluated over this system, and the
 * vm chapter's over {@link #vm()}): TLB-1, TLB-2, TLB-3, TLB-4; {@code spec/tlb.md} §7.
 */
public final class SmpMachine implements ShootdownService, TlbPort {

    /** {@code active[c]} of a CPU that runs no address space. */
    public static final int IDLE = -1;
    /** An unused alias. */
    static final long NO_FRAME = -1;
    /** How many frame aliases the abstract entry encoding offers (its 3-bit FRAME field). */
    static final int ALIASES = Pte.MAX_FRAME + 1;
    /**
     * Lazy mode's low watermark: before an operation that would start with fewer free frames than
     * this, {@link #relievePressure} drains the deferred-free list (every CPU catches up, then the list is released), as Linux
     * flushes batched TLB work before reclaim. It exceeds what one operation of the checked scopes
     * allocates (a fork's four x86_64 tables, a fault's three tables and a frame), so lazy mode
     * never fails an operation the TLB-less model would grant.
     */
    public static final int LOW_WATERMARK = 6;
    /** Receipts kept for reporting; older ones are dropped. */
    static final int RECEIPTS_KEPT = 64;

    /** Seeded integration bugs, to show the checks catch them. NONE in every real use. */
    public enum Bug {
        NONE,
        /** The vm frees gathered frames before the shootdown is sent (breaks TLB-2). */
        VM_FREES_BEFORE_SHOOTDOWN,
        /** An mprotect downgrade changes the PTEs but sends no shootdown (breaks TLB-3). */
        MPROTECT_SKIPS_SHOOTDOWN,
        /** A copy-on-write break remaps the page without flushing the old translation (breaks TLB-2 / TLB-4). */
        COW_BREAK_WITHOUT_FLUSH,
        /** The CPU mask of an address space leaves out the CPUs it is active on besides the initiator (breaks TLB-1). */
        MASK_INITIATOR_ONLY,
        /**
         * Lazy mode: the catch-up is left to the next context switch, and a CPU that keeps running
         * its process (a tickless CPU) never takes it, so the deferred frames behind it are never
         * released while the others run on. Safe (a deferred frame is never reused): SMP-L1 only.
         */
        NO_TICK_CATCH_UP
    }

    /** What kind of vm operation runs, as far as the shootdown cares. */
    public enum OpKind {
        MMAP, MUNMAP, MPROTECT, BRK, FAULT, FORK, EXIT
    }

    /** Picks which runnable target takes its next handler step; draws shrink towards the first. */
    @FunctionalInterface
    public interface Scheduler {
        int pick(int[] runnable);

        /** Always the lowest-numbered runnable CPU. */
        Scheduler FIRST = r -> r[0];
    }

    /** One address space's share of an operation's gather: the window pages to flush and whether everything must go. */
    private static final class Gather {
        int pages;
        boolean everything;
    }

    private final VmSystem vm;
    private final TlbConfig config;
    private final ShootdownProtocol protocol;
    /** The same protocol without lazy flushing, for freeing operations that must not run lazily (see {@link #finish}). */
    private final ShootdownProtocol syncProtocol;
    private final Bug bug;
    private final int cpus;
    private final int pages;
    private final Tlb[] tlbs;
    private final long[] pwcFrame;
    private final int[] active;
    private final long[] alias;
    private int gen;
    private final int[] localGen;
    /** Lazy deferred-free list: frame run to the generation every CPU must reach before it is freed. */
    private final LinkedHashMap<FrameRange, Integer> deferred = new LinkedHashMap<>();
    private final List<String> ghost = new ArrayList<>();
    private final List<Receipt> receipts = new ArrayList<>();
    private Scheduler scheduler = Scheduler.FIRST;

    // The gather of the operation in progress (empty between operations).
    private int initiator = IDLE;
    private OpKind opKind;
    private final IdentityHashMap<AddressSpace, Gather> gathers = new IdentityHashMap<>();
    /** Lazy mode: each space's translations (page to frame) when the operation started. */
    private final IdentityHashMap<AddressSpace, Map<Long, PhysFrame>> before = new IdentityHashMap<>();
    private final List<FrameRange> gatheredFrees = new ArrayList<>();

    /**
     * A machine of {@code config.cpus()} CPUs over {@code vm}, whose layout must fit the window of
     * {@code config.pages()} pages. Every CPU starts idle with an empty TLB; {@link #switchTo} puts
     * an address space on a CPU.
     */
    public SmpMachine(VmSystem vm, TlbConfig config, Bug bug) {
        this.vm = Objects.requireNonNull(vm);
        this.config = Objects.requireNonNull(config);
        this.protocol = new ShootdownProtocol(config);
        this.syncProtocol = new ShootdownProtocol(config.withLazy(false));
        this.bug = Objects.requireNonNull(bug);
        this.cpus = config.cpus();
        this.pages = config.pages();
        long top = vm.space(0).layout().topPage();
        if (top > pages) {
            throw new IllegalArgumentException("the TLB window of " + pages + " pages must cover user space (" + top + " pages)");
        }
        this.tlbs = new Tlb[cpus];
        Arrays.fill(tlbs, Tlb.empty(config.tlbCapacity()));
        this.pwcFrame = new long[cpus];
        Arrays.fill(pwcFrame, NO_FRAME);
        this.active = new int[cpus];
        Arrays.fill(active, IDLE);
        this.alias = new long[ALIASES];
        Arrays.fill(alias, NO_FRAME);
        this.localGen = new int[cpus];
        vm.frames().attach(this);
    }

    private SmpMachine(SmpMachine o) {
        this.vm = o.vm.copy();
        this.config = o.config;
        this.protocol = o.protocol;
        this.syncProtocol = o.syncProtocol;
        this.bug = o.bug;
        this.cpus = o.cpus;
        this.pages = o.pages;
        this.tlbs = o.tlbs.clone();
        this.pwcFrame = o.pwcFrame.clone();
        this.active = o.active.clone();
        this.alias = o.alias.clone();
        this.gen = o.gen;
        this.localGen = o.localGen.clone();
        this.deferred.putAll(o.deferred);
        this.ghost.addAll(o.ghost);
        this.receipts.addAll(o.receipts);
        this.scheduler = o.scheduler;
        if (o.initiator != IDLE) {
            throw new IllegalStateException("copy during an operation");
        }
        vm.frames().attach(this);
    }

    /** A deep copy (between operations). */
    public SmpMachine copy() {
        return new SmpMachine(this);
    }

    /**
     * Writes a quiescent machine (between operations, as the explorer holds it), for the state
     * codec of {@code models/tlb-smp}: the address spaces ({@link VmSystem#writeState}), each CPU's
     * TLB (packed), cached table frame, active space and local generation, the aliases, the
     * generation, the deferred frees in order, the ghost log and the receipts (request, cost).
     * Configuration, protocols, bug and scheduler are the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        requireQuiescent();
        vm.writeState(out);
        for (Tlb t : tlbs) {
            out.writeLong(t.encoded());
        }
        org.mmspec.check.Encoding.writeLongs(pwcFrame, out);
        org.mmspec.check.Encoding.writeInts(active, out);
        org.mmspec.check.Encoding.writeLongs(alias, out);
        out.writeInt(gen);
        org.mmspec.check.Encoding.writeInts(localGen, out);
        out.writeInt(deferred.size());
        for (Map.Entry<FrameRange, Integer> e : deferred.entrySet()) {
            out.writeLong(e.getKey().start().number());
            out.writeLong(e.getKey().count());
            out.writeInt(e.getValue());
        }
        org.mmspec.check.Encoding.writeList(ghost, (s, o) -> o.writeUTF(s), out);
        org.mmspec.check.Encoding.writeList(receipts, (r, o) -> {
            o.writeInt(r.request().cpuMask().bits());
            o.writeInt(r.request().pages());
            org.mmspec.check.Encoding.writeEnum(r.request().mode(), o);
            o.writeLong(r.modelledNanos());
        }, out);
    }

    /** Reads what {@link #writeState} wrote over this machine's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        vm.readState(in);
        for (int c = 0; c < tlbs.length; c++) {
            tlbs[c] = Tlb.decode(config.tlbCapacity(), in.readLong());
        }
        org.mmspec.check.Encoding.fillLongs(pwcFrame, in);
        System.arraycopy(org.mmspec.check.Encoding.readInts(in), 0, active, 0, active.length);
        org.mmspec.check.Encoding.fillLongs(alias, in);
        gen = in.readInt();
        System.arraycopy(org.mmspec.check.Encoding.readInts(in), 0, localGen, 0, localGen.length);
        deferred.clear();
        for (int n = in.readInt(); n > 0; n--) {
            deferred.put(FrameRange.of(in.readLong(), in.readLong()), in.readInt());
        }
        ghost.clear();
        ghost.addAll(org.mmspec.check.Encoding.readList(java.io.DataInput::readUTF, in));
        receipts.clear();
        receipts.addAll(org.mmspec.check.Encoding.readList(i -> new Receipt(new org.mmspec.tlb.TlbShootdown(
                CpuMask.ofBits(i.readInt()), i.readInt(), org.mmspec.check.Encoding.readEnum(ShootdownMode.class, i)),
                i.readLong()), in));
    }

    // ------------------------------------------------------------------ scheduling and operations

    /** Puts address space {@code space} ({@link #IDLE}: none) on {@code cpu}: a CR3 reload. */
    public void switchTo(int cpu, int space) {
        checkCpu(cpu);
        if (space != IDLE && (space < 0 || space >= vm.spaces().size())) {
            throw new IllegalArgumentException("no address space " + space);
        }
        requireQuiescent();
        if (active[cpu] == space) {
            return;
        }
        setTlb(cpu, tlbs[cpu].flushNonGlobal());
        active[cpu] = space;
    }

    public void scheduler(Scheduler s) {
        this.scheduler = Objects.requireNonNull(s);
    }

    /**
     * Runs the vm operation {@code body} on {@code cpu} (which must run the space it changes; the
     * body names the space itself) and then the shootdowns it needs; returns once every gathered
     * frame went to the allocator or the deferred-free list. A rejected operation changes nothing
     * and sends nothing (its gather is empty, since operations check before they write).
     */
    public <T> T run(int cpu, OpKind kind, Supplier<T> body) {
        checkCpu(cpu);
        requireQuiescent();
        initiator = cpu;
        opKind = kind;
        if (config.lazy()) {
            for (AddressSpace as : vm.spaces()) {
                Map<Long, PhysFrame> t = new TreeMap<>();
                as.translations().forEach((p, pte) -> t.put(p, pte.frame()));
                before.put(as, t);
            }
        }
        try {
            return body.get();
        } finally {
            try {
                finish();
            } finally {
                initiator = IDLE;
                opKind = null;
                gathers.clear();
                gatheredFrees.clear();
                before.clear();
            }
        }
    }

    /** The CPU mask of space {@code space}: the CPUs it is active on. */
    public CpuMask mask(int space) {
        int bits = 0;
        for (int c = 0; c < cpus; c++) {
            if (active[c] == space && space != IDLE) {
                bits |= 1 << c;
            }
        }
        return CpuMask.ofBits(bits);
    }

    /** Process {@code i} forks on {@code cpu}; the child is appended, idle everywhere. */
    public int fork(int cpu, int i) {
        return run(cpu, OpKind.FORK, () -> vm.fork(i));
    }

    /**
     * Process {@code i} exits on {@code cpu}: every CPU running it, {@code cpu} included, is
     * descheduled first (the CR3 reload drops the space's entries), then the space is torn down on
     * {@code cpu}; as no TLB can hold its translations any more, its frames and tables go back
     * without a shootdown. Later spaces move down one index.
     */
    public void exit(int cpu, int i) {
        if (active[cpu] != i) {
            throw new IllegalArgumentException("cpu" + cpu + " does not run P" + i);
        }
        for (int c = 0; c < cpus; c++) {
            if (active[c] == i) {
                switchTo(c, IDLE);
            }
        }
        run(cpu, OpKind.EXIT, () -> {
            vm.exit(i);
            return null;
        });
        for (int c = 0; c < cpus; c++) {
            if (active[c] > i) {
                active[c]--;
            }
        }
    }

    // ------------------------------------------------------------------ TlbPort: gathering (step 1's reports)

    @Override
    public void flush(AddressSpace space, TlbFlush flush) {
        if (initiator == IDLE) {
            throw new IllegalStateException("a PTE changed outside SmpMachine.run: " + flush);
        }
        if (bug == Bug.MPROTECT_SKIPS_SHOOTDOWN && opKind == OpKind.MPROTECT && flush.reason() == TlbFlush.Reason.PROTECT) {
            return;
        }
        if (bug == Bug.COW_BREAK_WITHOUT_FLUSH && opKind == OpKind.FAULT && flush.reason() == TlbFlush.Reason.REMAP) {
            return;
        }
        Gather g = gathers.computeIfAbsent(space, s -> new Gather());
        if (flush.full()) {
            g.everything = true;
            return;
        }
        long first = flush.start().value() >>> Vma.PAGE_SHIFT;
        long last = first + Math.max(1, flush.bytes() >>> Vma.PAGE_SHIFT) - 1;
        for (long p = Math.max(0, first); p <= Math.min(last, pages - 1); p++) {
            g.pages |= 1 << p;
        }
    }

    @Override
    public void freeTable(AddressSpace space, FrameRange run, FrameAllocator allocator) {
        gatherFree(run, allocator);
    }

    @Override
    public void freeFrame(PhysFrame frame, FrameAllocator allocator) {
        gatherFree(new FrameRange(frame, 1), allocator);
    }

    private void gatherFree(FrameRange run, FrameAllocator allocator) {
        if (allocator != vm.frames().allocator()) {
            throw new IllegalStateException("a frame of another allocator: " + run);
        }
        if (initiator == IDLE) {
            throw new IllegalStateException("a frame freed outside SmpMachine.run: " + run);
        }
        gatheredFrees.add(run);
    }

    @Override
    public Set<Long> withheld() {
        Set<Long> out = new TreeSet<>();
        for (FrameRange r : gatheredFrees) {
            addFrames(out, r);
        }
        for (FrameRange r : deferred.keySet()) {
            addFrames(out, r);
        }
        return out;
    }

    private static void addFrames(Set<Long> out, FrameRange r) {
        for (long i = 0; i < r.count(); i++) {
            out.add(r.start().number() + i);
        }
    }

    // ------------------------------------------------------------------ the executor (steps 2-5)

    /** Runs the gathered shootdowns, then step 5 for the gathered frames. */
    private void finish() {
        List<FrameRange> frees = new ArrayList<>(gatheredFrees);
        gatheredFrees.clear();
        if (bug == Bug.VM_FREES_BEFORE_SHOOTDOWN) {
            freeNow(frees);
            frees.clear();
        }
        List<AddressSpace> spaces = new ArrayList<>();
        for (AddressSpace as : gathers.keySet()) {
            // A space no CPU ever ran (a fork's child torn down after running out of memory) or one
            // every CPU left (exit) has nothing cached anywhere: no shootdown, and none may touch a TLB.
            if (indexOf(as) != IDLE) {
                spaces.add(as);
            }
        }
        spaces.sort((a, b) -> Integer.compare(indexOf(a), indexOf(b)));
        for (AddressSpace as : spaces) {
            Gather g = gathers.get(as);
            if (!g.everything && g.pages == 0) {
                continue;
            }
            KernelOp op = kernelOp(g, !frees.isEmpty());
            ShootdownProtocol p = protocol.lazy(op) && !lazySafe(as, g, frees) ? syncProtocol : protocol;
            TlbShootdown request = request(p, as, g, op);
            // The frames ride on the last shootdown of the operation (in practice: the one space it changed).
            boolean last = as == spaces.get(spaces.size() - 1);
            execute(p, initiator, request, op, last ? frees : List.of());
            if (last) {
                frees = List.of();
            }
        }
        if (!frees.isEmpty()) {
            freeNow(frees); // nothing was cached anywhere (no PTE of a cacheable page changed)
        }
    }

    /**
     * Whether a freeing operation may run lazily: only if every frame its pages stopped mapping is
     * among the frames it frees. A page unmapped (or re-pointed by a copy-on-write break) whose
     * frame lives on elsewhere (a fork's other side, the page cache) leaves stale entries that no
     * deferred-free list accounts for: a CPU could go on reading a frame another process now
     * writes. Such an operation runs the synchronous protocol (TLB-4 found this; spec/tlb.md §7.2).
     */
    private boolean lazySafe(AddressSpace as, Gather g, List<FrameRange> frees) {
        Map<Long, PhysFrame> was = before.get(as);
        if (was == null) {
            return true; // a space born inside the operation (fork's child): nothing of it was cacheable
        }
        Set<Long> freed = new TreeSet<>();
        for (FrameRange r : frees) {
            addFrames(freed, r);
        }
        for (Map.Entry<Long, PhysFrame> e : was.entrySet()) {
            long page = e.getKey();
            boolean flushed = g.everything || (page < pages && (g.pages >>> page & 1) != 0);
            Optional<org.mmspec.vm.Pte> now = as.translation(page);
            boolean gone = now.isEmpty() || !now.get().frame().equals(e.getValue());
            if (flushed && gone && !freed.contains(e.getValue().number())) {
                return false;
            }
        }
        return true;
    }

    /** The protocol-level operation this gather is, which decides the step list (free or not, lazy or not). */
    private KernelOp kernelOp(Gather g, boolean frees) {
        int ps = g.everything || g.pages == 0 ? config.allPages() : g.pages;
        if (!frees) {
            return new KernelOp(KernelOp.Kind.MPROTECT, ps);
        }
        if (opKind == OpKind.FAULT && Integer.bitCount(ps) == 1) {
            return new KernelOp(KernelOp.Kind.COW_BREAK, ps);
        }
        return new KernelOp(KernelOp.Kind.MUNMAP, ps);
    }

    /** Builds the request: the mask from the space's CPUs, the covering page range, the mode by the protocol. */
    private TlbShootdown request(ShootdownProtocol protocol, AddressSpace as, Gather g, KernelOp op) {
        int space = indexOf(as);
        // The protocol names the CPUs besides the initiator that must invalidate (all others, in its
        // one-space model); of those, the ones that can cache this space are the ones running it.
        CpuMask mask = protocol.lazy(op) ? CpuMask.NONE
                : CpuMask.ofBits(protocol.targets(initiator).bits() & mask(space).bits());
        if (bug == Bug.MASK_INITIATOR_ONLY) {
            mask = CpuMask.NONE;
        }
        if (g.everything) {
            return new TlbShootdown(mask, config.allPages(), ShootdownMode.FULL);
        }
        int first = Integer.numberOfTrailingZeros(g.pages);
        int last = 31 - Integer.numberOfLeadingZeros(g.pages);
        int covering = (int) ((1L << (last + 1)) - (1L << first));
        // User pages are never global, so the abstract table of the mode choice has no global entry.
        return new TlbShootdown(mask, covering, protocol.chooseMode(covering, PageTable.empty(pages, 0)));
    }

    /**
     * One shootdown, step by step as {@link ShootdownProtocol#initiatorSteps} lists them; the
     * targets run {@link ShootdownProtocol#targetSteps} while the initiator waits, in the order the
     * scheduler picks, and finish their handlers after it went on.
     */
    private void execute(ShootdownProtocol protocol, int self, TlbShootdown request, KernelOp op, List<FrameRange> frees) {
        try {
            ShootdownProtocol.validate(self, request, cpus, pages);
        } catch (TlbError e) {
            throw new IllegalStateException("the integration built an invalid request: " + e.getMessage(), e);
        }
        List<ShootdownProtocol.TargetStep> handler = protocol.targetSteps();
        int[] pc = new int[cpus];
        Arrays.fill(pc, -1);
        int acks = 0;
        for (ShootdownProtocol.InitiatorStep step : protocol.initiatorSteps(op)) {
            switch (step) {
                case WRITE_PTES -> {
                    // Done: the vm operation wrote the PTEs before the gather finished.
                }
                case SEND_IPIS -> {
                    for (int c = 0; c < cpus; c++) {
                        if (request.cpuMask().contains(c)) {
                            pc[c] = 0;
                        }
                    }
                }
                case INVALIDATE_LOCAL -> setTlb(self, protocol.invalidate(tlbs[self], request));
                case WAIT_ACKS -> {
                    while (!protocol.acknowledged(acks, request)) {
                        int[] runnable = runnable(pc);
                        if (runnable.length == 0) {
                            throw new IllegalStateException("TLB-6: a lost acknowledgement: " + request + " acks "
                                    + CpuMask.ofBits(acks));
                        }
                        int c = scheduler.pick(runnable);
                        acks = targetStep(c, handler, pc, request, acks);
                    }
                    checkCompleted(protocol, self, request, op);
                }
                case FREE_FRAMES -> freeNow(frees);
                case DEFER_FREE -> {
                    checkCompleted(protocol, self, request, op);
                    deferFrames(self, frees);
                }
                case RETURN -> {
                    // munmap / mprotect may return now.
                }
                default -> throw new IllegalStateException(step.toString());
            }
        }
        for (int[] r = runnable(pc); r.length > 0; r = runnable(pc)) {
            acks = targetStep(r[0], handler, pc, request, acks);
        }
        receipts.add(new Receipt(request, protocol.costNanos(request)));
        if (receipts.size() > RECEIPTS_KEPT) {
            receipts.remove(0);
        }
    }

    private int[] runnable(int[] pc) {
        return Arrays.stream(range(cpus)).filter(c -> pc[c] >= 0).toArray();
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private int targetStep(int c, List<ShootdownProtocol.TargetStep> handler, int[] pc, TlbShootdown request, int acks) {
        ShootdownProtocol.TargetStep s = handler.get(pc[c]);
        pc[c] = pc[c] + 1 == handler.size() ? -1 : pc[c] + 1;
        if (s == ShootdownProtocol.TargetStep.INVALIDATE) {
            setTlb(c, protocol.invalidate(tlbs[c], request));
            return acks;
        }
        return acks | 1 << c;
    }

    /** Ghost check at completion: every CPU of the mask and the initiator hold only granted entries for the request's pages. */
    private void checkCompleted(ShootdownProtocol protocol, int self, TlbShootdown request, KernelOp op) {
        CpuMask checked = protocol.lazy(op) ? CpuMask.of(self) : request.cpuMask().with(self);
        for (int c = 0; c < cpus; c++) {
            if (!checked.contains(c)) {
                continue;
            }
            for (int p = 0; p < pages; p++) {
                if (!request.covers(p)) {
                    continue;
                }
                Optional<String> stale = staleness(c, p);
                if (stale.isPresent()) {
                    String id = stale.get().startsWith("frame") ? "TLB-1" : "TLB-3";
                    ghost.add(id + "|cpu" + self + "'s " + opKind.name().toLowerCase(java.util.Locale.ROOT) + " shootdown "
                            + request + " completed, but cpu" + c + " still caches p" + p + " ("
                            + stale.get() + ")");
                }
            }
        }
    }

    /** Step 5: the frames go to the allocator; a frame a TLB still reaches is recorded for TLB-2. */
    private void freeNow(List<FrameRange> frees) {
        for (FrameRange r : frees) {
            recordIfCached(r, "freed");
            vm.frames().allocator().free(r);
        }
    }

    private void recordIfCached(FrameRange r, String what) {
        for (long i = 0; i < r.count(); i++) {
            long f = r.start().number() + i;
            for (int c = 0; c < cpus; c++) {
                if (reaches(c, f)) {
                    ghost.add("TLB-2|" + what + " frame " + f + " while cpu" + c + " still caches a translation to it: "
                            + renderTlb(c));
                }
            }
        }
    }

    private void deferFrames(int self, List<FrameRange> frees) {
        if (frees.isEmpty()) {
            return;
        }
        int g = gen + 1;
        gen = g;
        for (FrameRange r : frees) {
            deferred.put(r, g);
        }
        localGen[self] = protocol.localGenAfterDefer(localGen[self], g);
    }

    // ------------------------------------------------------------------ ShootdownService (abstract requests)

    /**
     * Steps 2-4 of a request over the window's abstract pages, for callers that wrote PTEs
     * themselves; frees nothing. Rejected requests send nothing ({@link TlbError}).
     */
    @Override
    public Receipt shootdown(int self, TlbShootdown request) throws TlbError {
        ShootdownProtocol.validate(self, request, cpus, pages);
        requireQuiescent();
        initiator = self;
        opKind = OpKind.MPROTECT;
        try {
            execute(protocol, self, request, new KernelOp(KernelOp.Kind.MPROTECT, request.pages()), List.of());
        } finally {
            initiator = IDLE;
            opKind = null;
        }
        return receipts.get(receipts.size() - 1);
    }

    /** Lazy mode: the frames named by alias bits go on the deferred-free list under a new generation. */
    @Override
    public void deferFree(int self, int frameAliases) {
        List<FrameRange> runs = new ArrayList<>();
        for (int a = 0; a < ALIASES; a++) {
            if ((frameAliases >>> a & 1) != 0 && alias[a] != NO_FRAME) {
                runs.add(new FrameRange(PhysFrame.of(alias[a]), 1));
            }
        }
        deferFrames(self, runs);
    }

    // ------------------------------------------------------------------ lazy mode: catch-up and release

    /** Whether {@code cpu}'s generation is behind (it must catch up before deferred frames can go). */
    public boolean behind(int cpu) {
        return localGen[cpu] < gen;
    }

    /** The lazy catch-up of {@code cpu} (context switch, tick): the protocol's full local flush. */
    public void catchUp(int cpu) {
        checkCpu(cpu);
        requireQuiescent();
        if (behind(cpu)) {
            setTlb(cpu, protocol.catchUp(tlbs[cpu]));
            localGen[cpu] = gen;
        }
    }

    /**
     * The kernel's reaction to memory pressure before it starts an operation: below
     * {@link #LOW_WATERMARK} free frames with frames on the deferred-free list, it drains the list.
     * Returns whether it did. Kept apart from {@link #run}, so a rejected operation still changes
     * nothing at all.
     */
    public boolean relievePressure() {
        if (deferred.isEmpty() || vm.frames().allocator().freeFrames() >= LOW_WATERMARK) {
            return false;
        }
        drain();
        return true;
    }

    /** Memory pressure: every CPU that is behind catches up, then the deferred-free list is released. */
    public void drain() {
        for (int c = 0; c < cpus; c++) {
            catchUp(c);
        }
        releaseDeferred();
    }

    /** Releases every deferred run the protocol says may go; returns how many frames went. */
    public int releaseDeferred() {
        requireQuiescent();
        int n = 0;
        for (Map.Entry<FrameRange, Integer> e : new ArrayList<>(deferred.entrySet())) {
            if (protocol.mayRelease(e.getValue(), localGen.clone())) {
                deferred.remove(e.getKey());
                recordIfCached(e.getKey(), "released deferred");
                vm.frames().allocator().free(e.getKey());
                n += (int) e.getKey().count();
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ the hardware's moves (trusted)

    /**
     * A speculative fill of {@code page} on {@code cpu} from the real page table, walked by the
     * paging MMU; returns whether it happened. The walker's result becomes one abstract entry
     * (adapter: real frame to alias) and the hardware model's {@link Mmu#fill} caches it; the walk
     * also caches the leaf table in the paging-structure cache.
     */
    public boolean fill(int cpu, int page) {
        checkCpu(cpu);
        checkPage(page);
        if (active[cpu] == IDLE) {
            return false;
        }
        AddressSpace as = vm.space(active[cpu]);
        VirtAddr va = VirtAddr.of((long) page << Vma.PAGE_SHIFT);
        Walk w = as.mapper().walk(va);
        Optional<Translation> t = w.translation();
        if (t.isEmpty() || as.mapper().access(va, Access.userRead()).isPresent()) {
            return false;
        }
        boolean writable = as.mapper().access(va, Access.userWrite()).isEmpty();
        long frame = PhysFrame.containing(t.get().pa()).number();
        int a = aliasFor(frame);
        if (a < 0) {
            return false;
        }
        PageTable view = PageTable.empty(pages, 0).with(page, Pte.of(a, writable, false));
        if (!Mmu.canFill(tlbs[cpu], view, page)) {
            return false;
        }
        tlbs[cpu] = Mmu.fill(tlbs[cpu], view, page);
        if (Mmu.canCacheTable(tlbs[cpu], view)) {
            tlbs[cpu] = Mmu.cacheTable(tlbs[cpu]);
            pwcFrame[cpu] = PhysFrame.containing(w.steps().get(w.steps().size() - 1).table()).number();
        }
        return true;
    }

    /** Whether {@code fill(cpu, page)} would cache something now (for enumerating hardware moves). */
    public boolean canFill(int cpu, int page) {
        if (active[cpu] == IDLE || tlbs[cpu].holds(page) || tlbs[cpu].full()) {
            return false;
        }
        AddressSpace as = vm.space(active[cpu]);
        VirtAddr va = VirtAddr.of((long) page << Vma.PAGE_SHIFT);
        return as.mapper().access(va, Access.userRead()).isEmpty();
    }

    /** The hardware evicts {@code page}'s entry on {@code cpu}. */
    public void evict(int cpu, int page) {
        setTlb(cpu, Mmu.evict(tlbs[cpu], page));
    }

    /**
     * A user access by {@code cpu} to {@code page}: a TLB hit uses the cached entry, so a load reads
     * and a store writes the <em>cached</em> frame, stale or not, as real hardware does; a miss walks
     * the real table and fills. Returns the word loaded (or stored), or empty for a fault, which is
     * the caller's to handle (through {@link #run} with {@link OpKind#FAULT}). A hit that lacks the
     * write bit drops the entry first (the spurious-fault path), so a fault sees the current PTE.
     */
    public Optional<Long> access(int cpu, int page, boolean write, long value) {
        checkCpu(cpu);
        checkPage(page);
        requireQuiescent();
        if (active[cpu] == IDLE) {
            throw new IllegalStateException("cpu" + cpu + " runs no address space");
        }
        int e = tlbs[cpu].entry(page);
        if (Pte.present(e) && write && !Pte.writable(e)) {
            setTlb(cpu, tlbs[cpu].invlpg(page));
            e = Pte.NONE;
        }
        AddressSpace as = vm.space(active[cpu]);
        if (!Pte.present(e)) {
            Access acc = write ? Access.userWrite() : Access.userRead();
            if (as.mapper().access(VirtAddr.of((long) page << Vma.PAGE_SHIFT), acc).isPresent()) {
                return Optional.empty();
            }
            fill(cpu, page);
            e = tlbs[cpu].entry(page);
            if (!Pte.present(e)) {
                // No room to cache: the walk itself translates.
                if (write) {
                    as.store(page, value);
                    return Optional.of(value);
                }
                return Optional.of(as.load(page));
            }
        }
        PhysFrame f = PhysFrame.of(alias[Pte.frame(e)]);
        if (write) {
            if (staleness(cpu, page).isEmpty()) {
                as.store(page, value); // the entry and the PTE name the same frame: one store, the ghost updated
            } else {
                vm.frames().write(f, value); // through a stale entry: the old frame, behind the kernel's back
            }
            return Optional.of(value);
        }
        return Optional.of(vm.frames().read(f));
    }

    // ------------------------------------------------------------------ views for the invariants

    public VmSystem vm() {
        return vm;
    }

    public TlbConfig config() {
        return config;
    }

    public ShootdownProtocol protocol() {
        return protocol;
    }

    public Bug bug() {
        return bug;
    }

    public int cpus() {
        return cpus;
    }

    public int pages() {
        return pages;
    }

    public int active(int cpu) {
        return active[cpu];
    }

    public Tlb tlb(int cpu) {
        return tlbs[cpu];
    }

    public int gen() {
        return gen;
    }

    public int localGen(int cpu) {
        return localGen[cpu];
    }

    /** The deferred-free list: run to generation. */
    public Map<FrameRange, Integer> deferred() {
        return Collections.unmodifiableMap(deferred);
    }

    /** The recorded wrong instants, each {@code ID|detail}. */
    public List<String> ghost() {
        return Collections.unmodifiableList(ghost);
    }

    /** The receipts of the most recent shootdowns, each with its modelled cost. */
    public List<Receipt> receipts() {
        return Collections.unmodifiableList(receipts);
    }

    /** Total modelled cost of the receipts kept, under the configured {@link CostModel}. */
    public long modelledNanos() {
        return receipts.stream().mapToLong(Receipt::modelledNanos).sum();
    }

    /** The real frame cached for {@code page} on {@code cpu}, if any. */
    public Optional<PhysFrame> cachedFrame(int cpu, int page) {
        int e = tlbs[cpu].entry(page);
        return Pte.present(e) ? Optional.of(PhysFrame.of(alias[Pte.frame(e)])) : Optional.empty();
    }

    public boolean cachedWritable(int cpu, int page) {
        return Pte.writable(tlbs[cpu].entry(page));
    }

    /**
     * Why {@code cpu}'s entry for {@code page} is stale, if it is: {@code frame-stale} (the PTE of
     * its active space is absent or maps another frame) or {@code permission-stale} (same frame,
     * the entry writable, the PTE not).
     */
    public Optional<String> staleness(int cpu, int page) {
        Optional<PhysFrame> cached = cachedFrame(cpu, page);
        if (cached.isEmpty()) {
            return Optional.empty();
        }
        AddressSpace as = vm.space(active[cpu]);
        VirtAddr va = VirtAddr.of((long) page << Vma.PAGE_SHIFT);
        Optional<Translation> t = as.mapper().translate(va);
        boolean readable = as.mapper().access(va, Access.userRead()).isEmpty();
        if (t.isEmpty() || PhysFrame.containing(t.get().pa()).number() != cached.get().number()) {
            return Optional.of("frame-stale: TLB " + cached.get() + (cachedWritable(cpu, page) ? " rw" : " r") + ", PTE "
                    + (t.isPresent() ? PhysFrame.containing(t.get().pa()).toString() : "-"));
        }
        if (!readable) {
            return Optional.of("permission-stale: TLB " + cached.get() + (cachedWritable(cpu, page) ? " rw" : " r")
                    + ", PTE grants the user nothing (PROT_NONE)");
        }
        if (cachedWritable(cpu, page) && as.mapper().access(va, Access.userWrite()).isPresent()) {
            return Optional.of("permission-stale: TLB " + cached.get() + " rw, PTE read-only");
        }
        return Optional.empty();
    }

    /** Whether a TLB entry or the paging-structure cache of {@code cpu} reaches frame {@code f}. */
    public boolean reaches(int cpu, long f) {
        if (tlbs[cpu].pwc() && pwcFrame[cpu] == f) {
            return true;
        }
        for (int p = 0; p < pages; p++) {
            Optional<PhysFrame> cf = cachedFrame(cpu, p);
            if (cf.isPresent() && cf.get().number() == f) {
                return true;
            }
        }
        return false;
    }

    /** The deferred generation of frame {@code f}, if it waits on the lazy list. */
    public Optional<Integer> deferredTag(long f) {
        for (Map.Entry<FrameRange, Integer> e : deferred.entrySet()) {
            long s = e.getKey().start().number();
            if (f >= s && f < s + e.getKey().count()) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    public String renderTlb(int cpu) {
        StringBuilder sb = new StringBuilder("{");
        for (int p = 0; p < pages; p++) {
            Optional<PhysFrame> f = cachedFrame(cpu, p);
            if (f.isPresent()) {
                sb.append(sb.length() == 1 ? "" : ", ").append('p').append(p).append('=').append(f.get().number())
                        .append(cachedWritable(cpu, p) ? " rw" : " r");
            }
        }
        if (tlbs[cpu].pwc()) {
            sb.append(sb.length() == 1 ? "" : "; ").append("pwc=").append(pwcFrame[cpu]);
        }
        return sb.append('}').toString();
    }

    /** Canonical value: the vm system, every CPU (space, TLB in real frames, generation), the lazy list, the ghost. */
    public Object key() {
        List<Object> k = new ArrayList<>();
        k.add(vm.key());
        for (int c = 0; c < cpus; c++) {
            k.add(active[c] + ":" + renderTlb(c) + ":" + localGen[c]);
        }
        k.add(gen);
        k.add(new TreeMap<>(Map.of("d", deferred.toString())));
        k.add(List.copyOf(ghost));
        return k;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(vm.toString());
        for (int c = 0; c < cpus; c++) {
            sb.append("\n  cpu").append(c).append(": ").append(active[c] == IDLE ? "idle" : "P" + active[c])
                    .append(" TLB").append(renderTlb(c));
            if (config.lazy()) {
                sb.append(" gen ").append(localGen[c]);
            }
        }
        if (config.lazy()) {
            sb.append("\n  gen ").append(gen).append(", deferred ").append(deferred);
        }
        if (!receipts.isEmpty()) {
            sb.append("\n  last shootdown: ").append(receipts.get(receipts.size() - 1));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ test hooks

    /** Test hook: plants an entry for {@code page} on {@code cpu} as if filled long ago (negative tests). */
    void corruptCache(int cpu, int page, PhysFrame frame, boolean writable) {
        int a = aliasFor(frame.number());
        setTlb(cpu, Mmu.evict(tlbs[cpu], page));
        tlbs[cpu] = Mmu.fill(tlbs[cpu], PageTable.empty(pages, 0).with(page, Pte.of(a, writable, false)), page);
    }

    // ------------------------------------------------------------------ internals

    private void setTlb(int cpu, Tlb t) {
        tlbs[cpu] = t;
        if (!t.pwc()) {
            pwcFrame[cpu] = NO_FRAME;
        }
    }

    private int indexOf(AddressSpace as) {
        List<AddressSpace> s = vm.spaces();
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i) == as) {
                return i;
            }
        }
        return IDLE; // not (or no longer) in the system: a fork's child being built, an exiting space
    }

    /** An alias for real frame {@code f}: its current one, or a free one; -1 when every alias is in use. */
    private int aliasFor(long f) {
        for (int a = 0; a < ALIASES; a++) {
            if (alias[a] == f) {
                return a;
            }
        }
        for (int a = 0; a < ALIASES; a++) {
            if (alias[a] == NO_FRAME || !aliasInUse(a)) {
                alias[a] = f;
                return a;
            }
        }
        return -1;
    }

    private boolean aliasInUse(int a) {
        for (Tlb t : tlbs) {
            for (int p = 0; p < pages; p++) {
                if (t.holds(p) && Pte.frame(t.entry(p)) == a) {
                    return true;
                }
            }
        }
        return false;
    }

    private void requireQuiescent() {
        if (initiator != IDLE) {
            throw new IllegalStateException("an operation is in progress on cpu" + initiator);
        }
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException("no cpu" + cpu);
        }
    }

    private void checkPage(int page) {
        if (page < 0 || page >= pages) {
            throw new IllegalArgumentException("page " + page + " outside the window of " + pages);
        }
    }

    /** Which protocol-level seeded bug this machine's protocol carries (for reports). */
    public SeededBug protocolBug() {
        return config.bug();
    }
}
