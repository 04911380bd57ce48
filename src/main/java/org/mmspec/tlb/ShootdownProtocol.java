package org.mmspec.tlb;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The shootdown protocol, written once. Both executors run exactly this logic: the exhaustive
 * model ({@link ShootdownModel}) applies each step to an immutable {@link TlbState} as one
 * transition, and the threaded implementation ({@link ThreadedShootdown}) runs the same steps on
 * CPU threads with real synchronisation. Neither executor decides anything the protocol decides:
 * the order of the steps, the PTE change, the mask, the mode, the range threshold, how a request
 * becomes local invalidations, when a waiting CPU serves IPIs, and when a deferred frame may be
 * released all live here (and so do the seeded bugs).
 *
 * <p>The synchronous protocol, for an initiator running a {@link KernelOp}:
 * <ol>
 * <li>{@link InitiatorStep#WRITE_PTES}: change the PTEs (under the page lock), build the
 *     {@link TlbShootdown};</li>
 * <li>{@link InitiatorStep#SEND_IPIS} to every CPU in the mask;</li>
 * <li>each target runs {@link TargetStep#INVALIDATE} then {@link TargetStep#ACK}; the initiator
 *     invalidates its own TLB meanwhile ({@link InitiatorStep#INVALIDATE_LOCAL});</li>
 * <li>{@link InitiatorStep#WAIT_ACKS} until every target acknowledged, serving IPIs meanwhile;</li>
 * <li>only then {@link InitiatorStep#FREE_FRAMES} and {@link InitiatorStep#RETURN}.</li>
 * </ol>
 * The lazy protocol (LATR, Linux {@code tlb_gen}) for operations that free frames: write the
 * PTEs, invalidate locally, put the frames on the deferred-free list tagged with a new
 * generation ({@link InitiatorStep#DEFER_FREE}), return. Every CPU later catches up with a full
 * local flush and records the generation it reached; a deferred frame is released only when
 * every CPU reached its generation.
 */
public final class ShootdownProtocol {

    /** The initiator's steps, in the order {@link #initiatorSteps} gives them. */
    public enum InitiatorStep {
        WRITE_PTES, SEND_IPIS, INVALIDATE_LOCAL, WAIT_ACKS, FREE_FRAMES, DEFER_FREE, RETURN
    }

    /** A target's steps for one received IPI. */
    public enum TargetStep {
        INVALIDATE, ACK
    }

    private static final List<InitiatorStep> SYNC = listOf(InitiatorStep.WRITE_PTES, InitiatorStep.SEND_IPIS,
            InitiatorStep.INVALIDATE_LOCAL, InitiatorStep.WAIT_ACKS, InitiatorStep.FREE_FRAMES, InitiatorStep.RETURN);
    private static final List<InitiatorStep> SYNC_NO_FREE = listOf(InitiatorStep.WRITE_PTES, InitiatorStep.SEND_IPIS,
            InitiatorStep.INVALIDATE_LOCAL, InitiatorStep.WAIT_ACKS, InitiatorStep.RETURN);
    private static final List<InitiatorStep> BUG_FREE_EARLY = listOf(InitiatorStep.WRITE_PTES, InitiatorStep.SEND_IPIS,
            InitiatorStep.INVALIDATE_LOCAL, InitiatorStep.FREE_FRAMES, InitiatorStep.WAIT_ACKS, InitiatorStep.RETURN);
    private static final List<InitiatorStep> LAZY = listOf(InitiatorStep.WRITE_PTES, InitiatorStep.INVALIDATE_LOCAL,
            InitiatorStep.DEFER_FREE, InitiatorStep.RETURN);
    /* Where each step list completes (completionIndex), found once: it is asked for every state. */
    private static final int SYNC_DONE = SYNC.indexOf(InitiatorStep.WAIT_ACKS);
    private static final int SYNC_NO_FREE_DONE = SYNC_NO_FREE.indexOf(InitiatorStep.WAIT_ACKS);
    private static final int BUG_FREE_EARLY_DONE = BUG_FREE_EARLY.indexOf(InitiatorStep.WAIT_ACKS);
    private static final int LAZY_DONE = LAZY.indexOf(InitiatorStep.DEFER_FREE);
    private static final List<TargetStep> TARGET = listOf(TargetStep.INVALIDATE, TargetStep.ACK);
    private static final List<TargetStep> BUG_ACK_FIRST = listOf(TargetStep.ACK, TargetStep.INVALIDATE);

    private final TlbConfig config;
    private final SeededBug bug;

    /** An unmodifiable list without {@code List.of}, whose JDK internals Java PathFinder may not model. */
    @SafeVarargs
    private static <T> List<T> listOf(T... items) {
        return Collections.unmodifiableList(Arrays.asList(items));
    }

    public ShootdownProtocol(TlbConfig config) {
        this.config = config;
        this.bug = config.bug();
    }

    public TlbConfig config() {
        return config;
    }

    /** Whether {@code op} runs the lazy protocol. */
    public boolean lazy(KernelOp op) {
        return config.lazy() && op.frees();
    }

    public List<InitiatorStep> initiatorSteps(KernelOp op) {
        if (lazy(op)) {
            return LAZY;
        }
        if (!op.frees()) {
            return SYNC_NO_FREE;
        }
        return bug == SeededBug.FREE_BEFORE_ACKS ? BUG_FREE_EARLY : SYNC;
    }

    public List<TargetStep> targetSteps() {
        return bug == SeededBug.ACK_BEFORE_INVALIDATE ? BUG_ACK_FIRST : TARGET;
    }

    /**
     * The step index after which {@code op} has completed: its shootdown is acknowledged by every
     * target (synchronous), or its frames are on the deferred-free list (lazy). From then on every
     * CPU must be clean for the op's pages (TLB-1, TLB-3), or covered by the lazy list (TLB-4).
     */
    public int completionIndex(KernelOp op) {
        if (lazy(op)) {
            return LAZY_DONE;
        }
        if (!op.frees()) {
            return SYNC_NO_FREE_DONE;
        }
        return bug == SeededBug.FREE_BEFORE_ACKS ? BUG_FREE_EARLY_DONE : SYNC_DONE;
    }

    /** The pages an operation changes, and so locks from its PTE write until it returns. */
    public int pagesOf(KernelOp op) {
        return op.kind() == KernelOp.Kind.RECLAIM ? config.allPages() : op.pages();
    }

    /** The CPUs that must invalidate besides the initiator: every other CPU running the address space. */
    public CpuMask targets(int self) {
        CpuMask m = CpuMask.firstN(config.cpus()).without(self);
        if (bug == SeededBug.MISSING_CPU && !m.isEmpty()) {
            m = m.without(Integer.numberOfTrailingZeros(m.bits()));
        }
        return m;
    }

    /**
     * The mode a request uses. The configured mode is widened, never narrowed: a range above the
     * threshold becomes a flush of everything, and a flush of everything that must drop a global
     * entry (a page of the request was global before the change) is {@link ShootdownMode#FULL}.
     */
    public ShootdownMode chooseMode(int pages, PageTable before) {
        ShootdownMode m = config.mode();
        int batch = Integer.bitCount(pages);
        boolean aboveThreshold = bug == SeededBug.THRESHOLD_OFF_BY_ONE ? batch >= config.threshold() : batch > config.threshold();
        if (m == ShootdownMode.RANGE && aboveThreshold) {
            m = bug == SeededBug.FULL_ABOVE_THRESHOLD ? ShootdownMode.FULL : ShootdownMode.GLOBAL;
        }
        if (m == ShootdownMode.GLOBAL && touchesGlobal(pages, before) && bug != SeededBug.GLOBAL_SKIPS_GLOBAL) {
            m = ShootdownMode.FULL;
        }
        return m;
    }

    private static boolean touchesGlobal(int pages, PageTable pt) {
        for (int p = 0; p < pt.pages(); p++) {
            if ((pages >>> p & 1) != 0 && Pte.global(pt.pte(p))) {
                return true;
            }
        }
        return false;
    }

    /** What step 1 produced: the new page table and allocator, the request, and the frames to free. */
    public static final class Plan {
        private final PageTable pageTable;
        private final FrameTable frames;
        private final TlbShootdown request;
        private final int toFree;

        Plan(PageTable pageTable, FrameTable frames, TlbShootdown request, int toFree) {
            this.pageTable = pageTable;
            this.frames = frames;
            this.request = request;
            this.toFree = toFree;
        }

        public PageTable pageTable() {
            return pageTable;
        }

        public FrameTable frames() {
            return frames;
        }

        public TlbShootdown request() {
            return request;
        }

        /** Frame bit set to free (or defer) once the request completed. */
        public int toFree() {
            return toFree;
        }
    }

    /**
     * Step 1: the PTE change of {@code op} by CPU {@code self}. Returns null when the operation
     * cannot proceed yet (a copy-on-write break with no free frame waits for one). Operations on
     * pages that are already gone change nothing (a copy-on-write break of an unmapped page, a
     * second reclaim) but still shoot down, which is harmless.
     */
    public Plan plan(int self, KernelOp op, PageTable pt, FrameTable frames) {
        int pages = pagesOf(op);
        PageTable next = pt;
        FrameTable fr = frames;
        int toFree = 0;
        switch (op.kind()) {
            case MUNMAP, RECLAIM -> {
                for (int p = 0; p < pt.pages(); p++) {
                    if ((pages >>> p & 1) != 0 && Pte.present(pt.pte(p))) {
                        toFree |= 1 << Pte.frame(pt.pte(p));
                        next = next.with(p, Pte.NONE);
                    }
                }
                if (op.kind() == KernelOp.Kind.RECLAIM && pt.tablePresent()) {
                    next = next.unlinkTable();
                    toFree |= 1 << pt.tableFrame();
                }
            }
            case MPROTECT -> {
                for (int p = 0; p < pt.pages(); p++) {
                    if ((pages >>> p & 1) != 0) {
                        next = next.with(p, Pte.readOnly(pt.pte(p)));
                    }
                }
            }
            case COW_BREAK -> {
                int page = Integer.numberOfTrailingZeros(pages);
                int old = pt.pte(page);
                if (!Pte.present(old)) {
                    break; // unmapped meanwhile: nothing left to break; the shootdown is harmless
                }
                int fresh = frames.lowestFree();
                if (fresh < 0) {
                    return null;
                }
                fr = fr.allocate(fresh);
                next = next.with(page, Pte.of(fresh, true, Pte.global(old)));
                toFree |= 1 << Pte.frame(old);
            }
            default -> throw new IllegalStateException(op.kind().toString());
        }
        CpuMask mask = lazy(op) ? CpuMask.NONE : targets(self);
        return new Plan(next, fr, new TlbShootdown(mask, pages, chooseMode(pages, pt)), toFree);
    }

    /**
     * How the kernel turns a request into local invalidations on one CPU (the initiator's own,
     * and each target's in its IPI handler). The four invalidations themselves are hardware.
     */
    public Tlb invalidate(Tlb tlb, TlbShootdown request) {
        switch (request.mode()) {
            case SINGLE -> {
                Tlb t = tlb;
                for (int p = request.firstPage(); p <= request.lastPage(); p++) {
                    if (request.covers(p)) {
                        t = t.invlpg(p);
                    }
                }
                return t;
            }
            case RANGE -> {
                int count = request.lastPage() - request.firstPage() + 1;
                if (bug == SeededBug.RANGE_OFF_BY_ONE) {
                    count--;
                } else if (bug == SeededBug.RANGE_OVERSHOOT) {
                    count++;
                }
                return tlb.invalidateRange(request.firstPage(), count);
            }
            case GLOBAL -> {
                return tlb.flushNonGlobal();
            }
            case FULL -> {
                return tlb.flushAll();
            }
            default -> throw new IllegalStateException(request.mode().toString());
        }
    }

    /** Whether every target of {@code request} is in the acknowledgement bit set {@code acks}. */
    public boolean acknowledged(int acks, TlbShootdown request) {
        return (request.cpuMask().bits() & ~acks) == 0;
    }

    /**
     * Whether a CPU at step {@code pc} of {@code op} takes IPIs. Interrupts stay on throughout,
     * waiting included: that is what keeps two CPUs that shoot down each other from deadlocking.
     */
    /**
     * Whether a CPU with no operation to run ({@code op == null}) polls in its idle loop instead
     * of taking a pending IPI: the {@link SeededBug#IDLE_POLL_MISSES_IPI} bug, in lazy mode only.
     */
    public boolean idlePollMissesIpi(KernelOp op) {
        return bug == SeededBug.IDLE_POLL_MISSES_IPI && config.lazy() && op == null;
    }

    public boolean interruptible(KernelOp op, int pc) {
        if (bug != SeededBug.WAIT_WITH_IRQS_OFF || op == null || pc < 0) {
            return true;
        }
        List<InitiatorStep> steps = initiatorSteps(op);
        return pc <= steps.indexOf(InitiatorStep.SEND_IPIS) || pc > steps.indexOf(InitiatorStep.WAIT_ACKS);
    }

    /**
     * The generation a CPU may claim after it invalidated locally and deferred frames at
     * {@code newGen}: it catches up only if it was current before ({@code tlb_gen}'s rule; a CPU
     * that was behind still holds older stale entries and must catch up with a full flush).
     */
    public int localGenAfterDefer(int localGen, int newGen) {
        return localGen == newGen - 1 ? newGen : localGen;
    }

    /** The lazy catch-up flush a CPU runs when its generation is behind (context switch, tick). */
    public Tlb catchUp(Tlb tlb) {
        return tlb.flushAll();
    }

    /** Whether a frame deferred at generation {@code tag} may go back to the allocator. */
    public boolean mayRelease(int tag, int[] localGens) {
        if (bug == SeededBug.LAZY_REUSE_EARLY) {
            for (int g : localGens) {
                if (g >= tag) {
                    return true;
                }
            }
            return false;
        }
        for (int g : localGens) {
            if (g < tag) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a request handed to a {@link ShootdownService} before anything is sent: pages exist
     * and are not empty, CPUs exist, the initiator is not its own target, ranges are contiguous.
     */
    public static void validate(int initiator, TlbShootdown request, int cpus, int pages) throws TlbError {
        if (initiator < 0 || initiator >= cpus) {
            throw TlbError.of(TlbError.Kind.BAD_CPU, "initiator cpu%d outside 0..%d", initiator, cpus - 1);
        }
        if ((request.cpuMask().bits() >>> cpus) != 0) {
            throw TlbError.of(TlbError.Kind.BAD_CPU, "mask %s names a CPU past cpu%d", request.cpuMask(), cpus - 1);
        }
        if (request.cpuMask().contains(initiator)) {
            throw TlbError.of(TlbError.Kind.BAD_CPU, "initiator cpu%d is in its own mask %s; it invalidates locally",
                    initiator, request.cpuMask());
        }
        if (request.pages() == 0) {
            throw TlbError.of(TlbError.Kind.NO_PAGES, "a shootdown needs at least one page");
        }
        if ((request.pages() >>> pages) != 0) {
            throw TlbError.of(TlbError.Kind.BAD_PAGE, "pages %s outside p0..p%d", TlbShootdown.renderPages(request.pages()),
                    pages - 1);
        }
        if (request.mode() == ShootdownMode.RANGE && !request.contiguous()) {
            throw TlbError.of(TlbError.Kind.NOT_CONTIGUOUS, "a RANGE shootdown over %s",
                    TlbShootdown.renderPages(request.pages()));
        }
    }

    /** The modelled cost of a request, as configured. */
    public long costNanos(TlbShootdown request) {
        return config.cost().nanos(request);
    }
}
