package org.mmspec.tlb.jpf;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.mmspec.tlb.FrameTable;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownProtocol;
import org.mmspec.tlb.ShootdownProtocol.InitiatorStep;
import org.mmspec.tlb.ShootdownProtocol.TargetStep;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The threaded shootdown executor of {@link org.mmspec.tlb.ThreadedShootdown}, restated for Java
 * PathFinder: the same {@link ShootdownProtocol} steps (the protocol, its masks, modes, acknowledgement
 * rule, lazy release rule and seeded bugs are shared code; only the thread plumbing is repeated), the
 * same shared state and synchronisation (page table and frame table under {@code ptLock}, one
 * {@code volatile} TLB per CPU written only by its own thread, {@link AtomicIntegerArray} mailboxes
 * and acknowledgement flags, a doorbell monitor per CPU that whoever hands it work rings).
 *
 * <p>Why a restatement rather than {@code ThreadedShootdown} itself: under JPF (jpf-core
 * {@code java-17}) that class builds its wait and violation messages eagerly, and
 * {@code CpuMask.toString()} goes through {@link java.util.StringJoiner}, which ends in
 * {@code NoSuchMethodError java.lang.System$2.join} inside JPF; it also records violations in a
 * {@code ConcurrentLinkedQueue}, whose VarHandle internals JPF models poorly. Here the CPU threads
 * build no text at all: the first broken invariant is recorded as numbers ({@link Broken}, CPU,
 * page or frame) and {@link #firstViolation()} renders it once every thread has finished.
 *
 * <p>Checks, as in {@code ThreadedShootdown}: TLB-1 and TLB-3 when an operation completes, against
 * every CPU's TLB; TLB-2 whenever frames reach the free list. TLB-5 (no progress) is a real deadlock
 * with {@code waitMillis == 0}, which JPF reports itself (NotDeadlockedProperty); with a positive
 * {@code waitMillis}, as on plain threads in tests, {@link #WAIT_ROUNDS} fruitless timed waits record
 * TLB-5.
 *
 * <p>A {@link Hook} may hold a CPU at named points; tests use it to force the one schedule in which
 * a schedule-dependent seeded bug shows on plain threads. The JPF entry points pass none.
 */
public final class JpfShootdown {
    /** Timed waits without progress before TLB-5 is recorded (only with {@code waitMillis > 0}). */
    public static final int WAIT_ROUNDS = 100;

    /** Invariants this executor checks; the IDs are defined in {@code spec/tlb.md}. */
    public enum Broken {
        /** A completed operation left a CPU caching a page's old frame. */
        TLB_1("TLB-1"),
        /** A frame reached the free list while some TLB still reaches it. */
        TLB_2("TLB-2"),
        /** A completed mprotect left a CPU caching the page writable. */
        TLB_3("TLB-3"),
        /** A CPU made no progress (a deadlock, seen with timed waits). */
        TLB_5("TLB-5");

        private final String id;

        Broken(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** Named points where a {@link Hook} may hold a CPU thread. */
    public enum Point {
        /** A target is about to run the steps of an IPI it found in its mailbox. */
        BEFORE_SERVE,
        /** A target ran one of its IPI steps and more follow (between acknowledge and invalidate, say). */
        BETWEEN_TARGET_STEPS,
        /** Frames reached the free list (an initiator's free, or a lazy release) and TLB-2 was checked. */
        FREED,
        /** An initiator finished its operation (after every check). */
        OP_DONE,
        /** A CPU is about to run its lazy catch-up flush. */
        BEFORE_CATCH_UP
    }

    /** Test hook: called by CPU {@code cpu}'s thread at {@code point}; may block for a while. */
    public interface Hook {
        void at(int cpu, Point point);
    }

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
    private final Hook hook;
    /** The first violation, as numbers; written under {@code ptLock}. */
    private Broken broken;
    private int brokenBy;
    private int brokenCpu;
    private int brokenWhat;

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

    /** Thrown on a CPU thread that gives up after {@link #WAIT_ROUNDS} timed waits. */
    private static final class NoProgress extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoProgress() {
            super(null, null, false, false);
        }
    }

    /**
     * A machine for {@code config}, every TLB warmed with every page. {@code waitMillis == 0}: untimed
     * waits (JPF sees a deadlock as one); {@code hook}: null, or a test's schedule forcer.
     */
    public JpfShootdown(TlbConfig config, long waitMillis, Hook hook) {
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
        this.hook = hook;
    }

    /** Runs every CPU's script on its own thread and waits for all of them. */
    public void runAll() {
        Thread[] threads = new Thread[cpus.length];
        for (int c = 0; c < cpus.length; c++) {
            threads[c] = new Thread(new CpuThread(this, c));
        }
        for (int c = 0; c < threads.length; c++) {
            threads[c].start();
        }
        for (int c = 0; c < threads.length; c++) {
            try {
                threads[c].join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining a CPU thread", e);
            }
        }
    }

    /** A CPU thread's body; a named class rather than a lambda, for JPF. */
    private static final class CpuThread implements Runnable {
        private final JpfShootdown machine;
        private final int cpu;

        CpuThread(JpfShootdown machine, int cpu) {
            this.machine = machine;
            this.cpu = cpu;
        }

        @Override
        public void run() {
            machine.cpuMain(cpu);
        }
    }

    private void at(int c, Point p) {
        if (hook != null) {
            hook.at(c, p);
        }
    }

    /** The body of CPU {@code c}: its script, then serving IPIs until every CPU is done. */
    void cpuMain(int c) {
        try {
            KernelOp[] script = config.script(c);
            for (int i = 0; i < script.length; i++) {
                runOp(c, script[i]);
            }
        } catch (NoProgress e) {
            // recorded as TLB-5; this CPU still counts itself done so that the others can finish
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
                        sleep(c, round);
                    }
                }
            }
        } catch (NoProgress e) {
            return;
        }
    }

    /** Waits on CPU {@code c}'s doorbell, which the caller holds after finding nothing to do. */
    private void sleep(int c, int round) {
        if (waitMillis > 0 && round > WAIT_ROUNDS) {
            record(Broken.TLB_5, c, c, round);
            throw new NoProgress();
        }
        try {
            if (waitMillis > 0) {
                cpus[c].doorbell.wait(waitMillis);
            } else {
                cpus[c].doorbell.wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record(Broken.TLB_5, c, c, round);
            throw new NoProgress();
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

    /** Runs one operation through the protocol's steps (ThreadedShootdown.runOp). */
    private void runOp(int c, KernelOp op) {
        List<InitiatorStep> steps = protocol.initiatorSteps(op);
        int toFree = 0;
        TlbShootdown request = null;
        int pages = protocol.pagesOf(op);
        for (int pc = 0; pc < steps.size(); pc++) {
            InitiatorStep step = steps.get(pc);
            if (step == InitiatorStep.WRITE_PTES) {
                ShootdownProtocol.Plan plan = writePtes(c, op, pages);
                toFree = plan.toFree();
                request = plan.request();
            } else if (step == InitiatorStep.SEND_IPIS) {
                sendIpis(c, request);
            } else if (step == InitiatorStep.INVALIDATE_LOCAL) {
                cpus[c].tlb = protocol.invalidate(cpus[c].tlb, request);
            } else if (step == InitiatorStep.WAIT_ACKS) {
                waitAcks(c, op, pc, request);
                checkCompleted(c, op, pages);
            } else if (step == InitiatorStep.FREE_FRAMES) {
                synchronized (ptLock) {
                    frames = frames.release(toFree);
                }
                checkFreed(c, toFree);
                at(c, Point.FREED);
            } else if (step == InitiatorStep.DEFER_FREE) {
                deferFree(c, toFree);
                checkCompleted(c, op, pages);
            } else if (step == InitiatorStep.RETURN) {
                synchronized (ptLock) {
                    lockedPages &= ~pages;
                }
                ringAll();
            } else {
                throw new IllegalStateException("unknown initiator step");
            }
        }
        at(c, Point.OP_DONE);
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
                    ready = (lockedPages & pages) == 0 && protocol.plan(c, op, pt, frames) != null;
                }
                if (!ready && !pendingFor(c)) {
                    sleep(c, round);
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
                    sleep(c, round);
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

    /** The IPI handler: serves every pending request in this CPU's mailbox, then the hardware refills. */
    private void serve(int c) {
        Slot me = cpus[c];
        for (int i = 0; i < cpus.length; i++) {
            if (me.mailbox.get(i) == 0) {
                continue;
            }
            at(c, Point.BEFORE_SERVE);
            me.mailbox.set(i, 0);
            TlbShootdown request = cpus[i].request;
            List<TargetStep> steps = protocol.targetSteps();
            for (int s = 0; s < steps.size(); s++) {
                if (steps.get(s) == TargetStep.INVALIDATE) {
                    me.tlb = protocol.invalidate(me.tlb, request);
                } else {
                    cpus[i].acks.set(c, 1);
                    ring(i);
                }
                if (s + 1 < steps.size()) {
                    at(c, Point.BETWEEN_TARGET_STEPS);
                }
            }
        }
        PageTable now = pt;
        Tlb t = me.tlb;
        for (int p = 0; p < config.pages(); p++) {
            t = Mmu.access(t, now, p).after();
        }
        if (!t.equals(me.tlb)) {
            me.tlb = t; // only on change: an equal write is a no-op the hardware never makes, and a JPF choice point
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
            at(c, Point.BEFORE_CATCH_UP);
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
            if (released != 0) {
                frames = frames.release(released);
            }
        }
        if (released != 0) {
            checkFreed(c, released);
            at(c, Point.FREED);
            ringAll();
        }
    }

    private void deferFree(int initiator, int frameMask) {
        int g;
        synchronized (ptLock) {
            g = ++gen;
            frames = frames.defer(frameMask, g);
        }
        Slot me = cpus[initiator];
        me.localGen = protocol.localGenAfterDefer(me.localGen, g);
        ringAll();
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
                int entry = t.entry(p);
                int pte = now.pte(p);
                if (frameStale(entry, pte)) {
                    record(Broken.TLB_1, c, d, p);
                } else if (op.kind() == KernelOp.Kind.MPROTECT && permissionStale(entry, pte)) {
                    record(Broken.TLB_3, c, d, p);
                }
            }
        }
    }

    /** TLB-2 whenever frames reach the free list. */
    private void checkFreed(int c, int frameMask) {
        for (int f = 0; frameMask >>> f != 0; f++) {
            if ((frameMask >>> f & 1) == 0) {
                continue;
            }
            for (int d = 0; d < cpus.length; d++) {
                if (cpus[d].tlb.refersTo(f, config.tableFrame(), config.pages())) {
                    record(Broken.TLB_2, c, d, f);
                }
            }
        }
    }

    /** TLB-1's predicate (TlbInvariants): a cached translation to a frame the PTE no longer maps. */
    static boolean frameStale(int entry, int pte) {
        return Pte.present(entry) && (!Pte.present(pte) || Pte.frame(entry) != Pte.frame(pte));
    }

    /** TLB-3's predicate (TlbInvariants): a cached writable translation of a page the PTE made read-only. */
    static boolean permissionStale(int entry, int pte) {
        return Pte.present(entry) && Pte.present(pte) && Pte.frame(entry) == Pte.frame(pte) && Pte.writable(entry)
                && !Pte.writable(pte);
    }

    private void record(Broken what, int by, int cpu, int n) {
        synchronized (ptLock) {
            if (broken == null) {
                broken = what;
                brokenBy = by;
                brokenCpu = cpu;
                brokenWhat = n;
            }
        }
    }

    /** The first broken invariant, or null. */
    public Broken broken() {
        synchronized (ptLock) {
            return broken;
        }
    }

    /** The first violation, rendered (call after {@link #runAll()}), or null. */
    public String firstViolation() {
        Broken b = broken();
        if (b == null) {
            return null;
        }
        if (b == Broken.TLB_1) {
            return b.id() + ": cpu" + brokenBy + "'s operation completed, but cpu" + brokenCpu + " still caches p" + brokenWhat
                    + " -> its old frame";
        }
        if (b == Broken.TLB_3) {
            return b.id() + ": cpu" + brokenBy + "'s mprotect completed, but cpu" + brokenCpu + " still caches p" + brokenWhat
                    + " writable";
        }
        if (b == Broken.TLB_2) {
            return b.id() + ": cpu" + brokenBy + " freed f" + brokenWhat + " but cpu" + brokenCpu + "'s TLB still reaches it";
        }
        return b.id() + ": cpu" + brokenCpu + " made no progress in " + WAIT_ROUNDS + " waits";
    }

    /** The frame table now (for tests). */
    public FrameTable frameTable() {
        synchronized (ptLock) {
            return frames;
        }
    }
}
