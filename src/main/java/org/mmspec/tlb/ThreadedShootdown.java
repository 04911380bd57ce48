package org.mmspec.tlb;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.mmspec.tlb.ShootdownProtocol.InitiatorStep;
import org.mmspec.tlb.ShootdownProtocol.TargetStep;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The shootdown protocol on real threads: each CPU is a thread, IPIs are mailboxes, and
 * acknowledgements and PTE writes use Java synchronisation. It runs the steps of
 * {@link ShootdownProtocol}, the same code the exhaustive model runs, and is the code a kernel
 * developer would port.
 *
 * <p>Shared state and its synchronisation:
 * <ul>
 * <li>the page table, the allocator ({@link FrameTable}), the lazy generation and the page locks
 *     are written under {@code ptLock}; the page table is also {@code volatile} because the
 *     hardware walker of every CPU reads it without the lock;</li>
 * <li>each CPU's TLB is a {@code volatile} immutable {@link Tlb} written only by its own thread
 *     (hardware fills, local invalidations, IPI handlers all run there) and read by the checks;</li>
 * <li>a CPU's mailbox is an {@link AtomicIntegerArray} with one flag per initiator; an
 *     initiator publishes its request in a {@code volatile} field and resets its acknowledgement
 *     flags <em>before</em> setting the targets' mailbox flags, so a target that sees the flag sees
 *     the request (volatile write/read gives the happens-before edge);</li>
 * <li>acknowledgements are one {@link AtomicIntegerArray} flag per target in the initiator's
 *     slot; a target sets it after (or, with the seeded bug, before) invalidating.</li>
 * </ul>
 * A CPU that waits (for acknowledgements, or for a page lock) keeps serving its mailbox, which is
 * what prevents the deadlock of two CPUs shooting down each other (TLB-5).
 *
 * <p>Checks: the TLB chapter's invariants are checked at the points where they must hold on real
 * threads, and every violation is recorded in {@link #violations()} with its ID: TLB-1 and
 * TLB-3 when an operation completes, TLB-2 whenever frames are freed, TLB-7 and TLB-9 at every
 * local invalidation, TLB-8 when a request is built, TLB-5 when a wait exceeds
 * {@link #WAIT_ROUNDS} bounded waits. Waiting is blocking, never spinning: a CPU with nothing to
 * do sleeps on its doorbell monitor, and whoever hands it work rings it.
 */
public final class ThreadedShootdown implements ShootdownService {
    /** Bounded waits a CPU makes without progress before it reports TLB-5 (with a wait timeout). */
    public static final int WAIT_ROUNDS = 100;
    /** Default doorbell wait timeout for plain threads: {@value} ms, so a deadlock is reported in ~2 s. */
    public static final long DEFAULT_WAIT_MILLIS = 20;

    private final TlbConfig config;
    private final ShootdownProtocol protocol;
    private final Object ptLock = new Object();
    private volatile PageTable pt;
    private FrameTable frames;
    private int gen;
    private int lockedPages;
    private final Slot[] cpus;
    private final AtomicInteger busy;
    private final long waitMillis;
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> costs = new ConcurrentLinkedQueue<>();

    /** One CPU's shared slot. */
    private static final class Slot {
        volatile Tlb tlb;
        volatile TlbShootdown request;
        volatile int localGen;
        final AtomicIntegerArray mailbox;
        final AtomicIntegerArray acks;
        final Object doorbell = new Object();

        Slot(Tlb tlb, int cpus) {
            this.tlb = tlb;
            this.mailbox = new AtomicIntegerArray(cpus);
            this.acks = new AtomicIntegerArray(cpus);
        }
    }

    /** A machine for {@code config} whose waits time out after {@link #DEFAULT_WAIT_MILLIS}. */
    public ThreadedShootdown(TlbConfig config) {
        this(config, DEFAULT_WAIT_MILLIS);
    }

    /**
     * A machine for {@code config}, every TLB warmed with every page (the hardware had time to
     * fill). With {@code waitMillis == 0} waits never time out, so a deadlock is a real one: what
     * Lincheck and Java PathFinder should see, since both detect it themselves.
     */
    public ThreadedShootdown(TlbConfig config, long waitMillis) {
        this.config = config;
        this.protocol = new ShootdownProtocol(config);
        this.pt = config.initialPageTable();
        this.frames = config.initialFrames();
        this.cpus = new Slot[config.cpus()];
        for (int c = 0; c < cpus.length; c++) {
            Tlb t = Tlb.empty(config.tlbCapacity());
            for (int p = 0; p < config.pages(); p++) {
                t = Mmu.access(t, pt, p).after();
            }
            cpus[c] = new Slot(t, cpus.length);
        }
        this.busy = new AtomicInteger(cpus.length);
        this.waitMillis = waitMillis;
    }

    public ShootdownProtocol protocol() {
        return protocol;
    }

    /** Runs every CPU's script on its own thread and waits for all of them. */
    public void runAll() {
        Thread[] threads = new Thread[cpus.length];
        for (int c = 0; c < cpus.length; c++) {
            threads[c] = new Thread(new CpuThread(this, c), "cpu" + c);
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining " + t.getName(), e);
            }
        }
    }

    /** A CPU thread's body; a named class rather than a lambda, for Java PathFinder. */
    private static final class CpuThread implements Runnable {
        private final ThreadedShootdown machine;
        private final int cpu;

        CpuThread(ThreadedShootdown machine, int cpu) {
            this.machine = machine;
            this.cpu = cpu;
        }

        @Override
        public void run() {
            machine.cpuMain(cpu);
        }
    }

    /** The body of CPU {@code c}: its script, then serving IPIs until every CPU is done. */
    public void cpuMain(int c) {
        try {
            KernelOp[] script = config.script(c);
            for (KernelOp op : script) {
                runOp(c, op);
            }
        } catch (NoProgress e) {
            violations.add(e.getMessage());
        } finally {
            busy.decrementAndGet();
            ringAll();
        }
        try {
            for (int round = 0;; round++) {
                serve(c);
                catchUpAndRelease(c);
                synchronized (cpus[c].doorbell) {
                    if (busy.get() == 0 && !pendingFor(c) && !deferredLeft()) {
                        return;
                    }
                    if (!pendingFor(c) && !behind(c)) {
                        sleep(c, round, "idle CPU still has work");
                    }
                }
            }
        } catch (NoProgress e) {
            violations.add(e.getMessage());
        }
    }

    private static final class NoProgress extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoProgress(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Waits on CPU {@code c}'s doorbell; the caller holds it and has just checked, under it, that
     * there is nothing to do. Anyone who gives {@code c} something to do (an IPI, an
     * acknowledgement, a released page lock, a new generation) rings the doorbell after making the
     * change visible, so no wake-up is lost. With a bounded wait, too many rounds is TLB-5.
     */
    private void sleep(int c, int round, String what) {
        if (waitMillis > 0 && round > WAIT_ROUNDS) {
            throw new NoProgress("TLB-5: cpu" + c + " made no progress in " + WAIT_ROUNDS + " waits: " + what);
        }
        try {
            if (waitMillis > 0) {
                cpus[c].doorbell.wait(waitMillis);
            } else {
                cpus[c].doorbell.wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoProgress("TLB-5: cpu" + c + " interrupted while waiting: " + what);
        }
    }

    private void ring(int c) {
        synchronized (cpus[c].doorbell) {
            cpus[c].doorbell.notifyAll();
        }
    }

    private void ringAll() {
        for (int c = 0; c < cpus.length; c++) {
            ring(c);
        }
    }

    /** Runs one operation through the protocol's steps. */
    void runOp(int c, KernelOp op) {
        List<InitiatorStep> steps = protocol.initiatorSteps(op);
        int toFree = 0;
        TlbShootdown request = null;
        int pages = protocol.pagesOf(op);
        for (int pc = 0; pc < steps.size(); pc++) {
            InitiatorStep step = steps.get(pc);
            switch (step) {
                case WRITE_PTES -> {
                    ShootdownProtocol.Plan plan = writePtes(c, op, pages);
                    toFree = plan.toFree();
                    request = plan.request();
                    record(FlushCost.thresholdKept(config, request));
                }
                case SEND_IPIS -> sendIpis(c, request);
                case INVALIDATE_LOCAL -> cpus[c].tlb = invalidate(c, cpus[c].tlb, request);
                case WAIT_ACKS -> {
                    waitAcks(c, op, pc, request);
                    costs.add(protocol.costNanos(request));
                    checkCompleted(c, op, pages);
                }
                case FREE_FRAMES -> {
                    synchronized (ptLock) {
                        frames = frames.release(toFree);
                    }
                    checkFreed(toFree);
                }
                case DEFER_FREE -> {
                    deferFree(c, toFree);
                    checkCompleted(c, op, pages);
                }
                case RETURN -> {
                    synchronized (ptLock) {
                        lockedPages &= ~pages;
                    }
                    ringAll();
                }
                default -> throw new IllegalStateException(step.toString());
            }
        }
    }

    private ShootdownProtocol.Plan writePtes(int c, KernelOp op, int pages) {
        for (int round = 0;; round++) {
            synchronized (ptLock) {
                if ((lockedPages & pages) == 0) {
                    ShootdownProtocol.Plan plan = protocol.plan(c, op, pt, frames);
                    if (plan != null) {
                        lockedPages |= pages;
                        frames = plan.frames();
                        pt = plan.pageTable();
                        return plan;
                    }
                }
            }
            serve(c);
            synchronized (cpus[c].doorbell) {
                boolean ready;
                synchronized (ptLock) {
                    // The protocol decides whether the operation can start (plan() is null while a
                    // copy-on-write break has no free frame); the executor must not guess.
                    ready = (lockedPages & pages) == 0 && protocol.plan(c, op, pt, frames) != null;
                }
                if (!ready && !pendingFor(c)) {
                    sleep(c, round, op + " waits for its page lock or a free frame");
                }
            }
        }
    }

    private void sendIpis(int c, TlbShootdown request) {
        Slot me = cpus[c];
        for (int t = 0; t < cpus.length; t++) {
            me.acks.set(t, 0);
        }
        me.request = request;
        for (int t = 0; t < cpus.length; t++) {
            if (request.cpuMask().contains(t)) {
                cpus[t].mailbox.set(c, 1);
                ring(t);
            }
        }
    }

    private void waitAcks(int c, KernelOp op, int pc, TlbShootdown request) {
        boolean irqs = protocol.interruptible(op, pc);
        for (int round = 0;; round++) {
            if (irqs) {
                serve(c);
            }
            synchronized (cpus[c].doorbell) {
                if (allAcked(c, request)) {
                    return;
                }
                if (!irqs || !pendingFor(c)) {
                    sleep(c, round, "waiting for acknowledgements from " + request.cpuMask());
                }
            }
        }
    }

    private boolean allAcked(int c, TlbShootdown request) {
        int acks = 0;
        for (int t = 0; t < cpus.length; t++) {
            if (cpus[c].acks.get(t) != 0) {
                acks |= 1 << t;
            }
        }
        return protocol.acknowledged(acks, request);
    }

    /** The IPI handler: serves every pending request in this CPU's mailbox. */
    private void serve(int c) {
        Slot me = cpus[c];
        for (int i = 0; i < cpus.length; i++) {
            if (me.mailbox.get(i) == 0) {
                continue;
            }
            me.mailbox.set(i, 0);
            TlbShootdown request = cpus[i].request;
            for (TargetStep step : protocol.targetSteps()) {
                if (step == TargetStep.INVALIDATE) {
                    me.tlb = invalidate(c, me.tlb, request);
                } else {
                    cpus[i].acks.set(c, 1);
                    ring(i);
                }
            }
        }
        // The hardware keeps running: re-touch the pages, filling from the current page table.
        PageTable now = pt;
        for (int p = 0; p < config.pages(); p++) {
            me.tlb = Mmu.access(me.tlb, now, p).after();
        }
    }

    private boolean pendingFor(int c) {
        for (int i = 0; i < cpus.length; i++) {
            if (cpus[c].mailbox.get(i) != 0) {
                return true;
            }
        }
        return false;
    }

    private boolean behind(int c) {
        if (!config.lazy()) {
            return false;
        }
        synchronized (ptLock) {
            return cpus[c].localGen < gen;
        }
    }

    private boolean deferredLeft() {
        synchronized (ptLock) {
            for (int f = 0; f < frames.frames(); f++) {
                if (frames.deferred(f)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Lazy mode: catch up with a full flush when behind, then release what every CPU has passed. */
    private void catchUpAndRelease(int c) {
        if (!config.lazy()) {
            return;
        }
        int target;
        synchronized (ptLock) {
            target = gen;
        }
        Slot me = cpus[c];
        if (me.localGen < target) {
            me.tlb = protocol.catchUp(me.tlb);
            me.localGen = target;
        }
        int released = 0;
        synchronized (ptLock) {
            int[] gens = new int[cpus.length];
            for (int d = 0; d < gens.length; d++) {
                gens[d] = cpus[d].localGen;
            }
            for (int f = 0; f < frames.frames(); f++) {
                if (frames.deferred(f) && protocol.mayRelease(frames.tag(f), gens)) {
                    released |= 1 << f;
                }
            }
            frames = frames.release(released);
        }
        if (released != 0) {
            checkFreed(released);
            ringAll();
        }
    }

    @Override
    public Receipt shootdown(int initiator, TlbShootdown request) throws TlbError {
        ShootdownProtocol.validate(initiator, request, cpus.length, config.pages());
        sendIpis(initiator, request);
        cpus[initiator].tlb = invalidate(initiator, cpus[initiator].tlb, request);
        waitAcks(initiator, null, -1, request);
        checkCompleted(initiator, new KernelOp(KernelOp.Kind.MUNMAP, request.pages()), request.pages());
        return new Receipt(request, protocol.costNanos(request));
    }

    @Override
    public void deferFree(int initiator, int frameMask) {
        int g;
        synchronized (ptLock) {
            g = ++gen;
            frames = frames.defer(frameMask, g);
        }
        Slot me = cpus[initiator];
        me.localGen = protocol.localGenAfterDefer(me.localGen, g);
        ringAll();
    }

    /**
     * One local invalidation on CPU {@code c}'s own thread, checked against the cost rules as it
     * happens: TLB-7 (no global entry dropped for a batch without a global page) and TLB-9 (no
     * entry dropped that the chosen mode need not drop).
     */
    private Tlb invalidate(int c, Tlb before, TlbShootdown request) {
        Tlb after = protocol.invalidate(before, request);
        FlushCost.Flush f = new FlushCost.Flush(c, request, before, after);
        record(FlushCost.globalKept(config, f, config.pages()));
        record(FlushCost.dropsWithinMode(f, config.pages()));
        return after;
    }

    /** Records a violation detail (it starts with its ID), or nothing for null. */
    private void record(String violationOrNull) {
        if (violationOrNull != null) {
            violations.add(violationOrNull);
        }
    }

    /** TLB-1 and TLB-3 at an operation's completion, against every CPU's TLB. */
    private void checkCompleted(int c, KernelOp op, int pages) {
        if (protocol.lazy(op)) {
            return;
        }
        PageTable now = pt;
        for (int d = 0; d < cpus.length; d++) {
            Tlb t = cpus[d].tlb;
            for (int p = 0; p < config.pages(); p++) {
                if ((pages >>> p & 1) == 0) {
                    continue;
                }
                if (TlbInvariants.frameStale(t.entry(p), now.pte(p))) {
                    violations.add("TLB-1: cpu" + c + "'s " + op + " completed, but cpu" + d + " still caches p" + p
                            + " -> " + Pte.render(t.entry(p)) + " (PTE " + Pte.render(now.pte(p)) + ")");
                } else if (op.kind() == KernelOp.Kind.MPROTECT && TlbInvariants.permissionStale(t.entry(p), now.pte(p))) {
                    violations.add("TLB-3: cpu" + c + "'s " + op + " completed, but cpu" + d + " still caches p" + p
                            + " writable");
                }
            }
        }
    }

    /** TLB-2 whenever frames reach the free list. */
    private void checkFreed(int frameMask) {
        for (int f = 0; frameMask >>> f != 0; f++) {
            if ((frameMask >>> f & 1) == 0) {
                continue;
            }
            for (int d = 0; d < cpus.length; d++) {
                if (cpus[d].tlb.refersTo(f, config.tableFrame(), config.pages())) {
                    violations.add("TLB-2: f" + f + " is free but cpu" + d + "'s TLB still reaches it");
                }
            }
        }
    }

    /** The first violation recorded, or null; for callers that avoid collection copies (JPF). */
    public String firstViolation() {
        return violations.peek();
    }

    /** Every violation recorded so far, each starting with its invariant ID. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /**
     * The modelled cost in nanoseconds of each completed shootdown (numbers, not text: the CPU
     * threads do no formatting, which Lincheck's instrumentation of locale classes cannot take).
     */
    public List<Long> costs() {
        return List.copyOf(costs);
    }

    public PageTable pageTable() {
        return pt;
    }

    public FrameTable frameTable() {
        synchronized (ptLock) {
            return frames;
        }
    }

    public Tlb tlb(int cpu) {
        return cpus[cpu].tlb;
    }
}
