package org.mmspec.tlb.jpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mmspec.tlb.CpuThreads.awaitParked;
import static org.mmspec.tlb.CpuThreads.join;
import static org.mmspec.tlb.CpuThreads.start;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.tlb.CpuThreads;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.jpf.JpfShootdown.Point;

/**
 * {@link JpfShootdown} on forced schedules, from plain JUnit threads (JPF explores every schedule;
 * these pin down the executor's wake-ups and checks on the schedules where they matter). With
 * untimed waits a CPU parked on its doorbell stays parked until someone rings it: a test starts a
 * CPU on its own thread, waits until it is parked, then runs another CPU. A lost wake-up leaves a
 * CPU asleep for ever, so the test's bound fails. A {@link JpfShootdown.Hook} records the trace of
 * named points each CPU passes, which the tests assert.
 */
class JpfShootdownScheduleTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long TINY_WAIT_MILLIS = 1;

    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    /** The points the CPUs passed, as {@code POINT@cpu}, in the order they passed them. */
    private static final class Trace implements JpfShootdown.Hook {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        public void at(int cpu, Point point) {
            events.add(point + "@" + cpu);
        }

        List<String> list() {
            return new ArrayList<>(events);
        }

        long count(String event) {
            return events.stream().filter(event::equals).count();
        }
    }

    private static Thread cpu(JpfShootdown m, int c) {
        return start("cpu" + c, () -> m.cpuMain(c));
    }

    @Test
    void theLastCpuToFinishItsScriptWakesTheParkedIdleCpus() {
        assertTimeoutPreemptively(LIMIT, () -> {
            JpfShootdown m = new JpfShootdown(config("cpus=3,pages=1,mode=single,ops="), 0, null);
            Thread t1 = cpu(m, 1);
            Thread t2 = cpu(m, 2);
            awaitParked(t1);
            awaitParked(t2);
            m.cpuMain(0);
            join(t1);
            join(t2);
            assertThat(m.firstViolation()).isNull();
        });
    }

    /**
     * The target parks; the IPI wakes it, it invalidates (one point between its two steps), and its
     * acknowledgement wakes the initiator, which frees the frame: one total order of points.
     */
    @Test
    void aParkedTargetServesTheIpiBeforeTheInitiatorFrees() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Trace trace = new Trace();
            JpfShootdown m = new JpfShootdown(config("cpus=2,pages=1,mode=single,ops=cpu0:munmap(0)"), 0, trace);
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            m.cpuMain(0);
            join(t1);
            assertThat(trace.list()).containsExactly("BEFORE_SERVE@1", "BETWEEN_TARGET_STEPS@1", "FREED@0", "OP_DONE@0");
            assertThat(m.firstViolation()).isNull();
            assertThat(m.frameTable().free(0)).isTrue();
        });
    }

    /**
     * Lazy mode: the parked CPU is rung by the deferral, catches up exactly once (the initiator
     * is current after its own local invalidation and never catches up), and the frame is
     * released exactly once.
     */
    @Test
    void aLazyMunmapWakesTheParkedCpuToCatchUpOnceAndTheFrameIsReleasedOnce() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Trace trace = new Trace();
            JpfShootdown m = new JpfShootdown(config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(0)"), 0, trace);
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            m.cpuMain(0);
            join(t1);
            assertThat(m.firstViolation()).isNull();
            // either CPU may be the one that finds every CPU past the frame's generation
            String freed = trace.count("FREED@0") > 0 ? "FREED@0" : "FREED@1";
            assertThat(trace.list()).containsExactlyInAnyOrder("OP_DONE@0", "BEFORE_CATCH_UP@1", freed);
            assertThat(m.frameTable().free(0)).isTrue();
            assertThat(m.frameTable().deferred(0)).isFalse();
        });
    }

    /**
     * An acknowledgement counts only for the request it answered: cpu1 is held before it serves
     * cpu0's second IPI until cpu0 parks for that acknowledgement (cpu1 answered the first).
     */
    @Test
    void aSecondRequestWaitsForItsOwnAcknowledgement() {
        assertTimeoutPreemptively(LIMIT, () -> {
            AtomicReference<Thread> initiator = new AtomicReference<>();
            AtomicInteger served = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            JpfShootdown.Hook hold = (cpu, point) -> {
                if (cpu == 0 && point == Point.OP_DONE) {
                    done.incrementAndGet();
                }
                if (cpu == 1 && point == Point.BEFORE_SERVE && served.incrementAndGet() == 2) {
                    long deadline = System.nanoTime() + CpuThreads.BOUND_MILLIS * 1_000_000;
                    while (initiator.get().getState() != Thread.State.WAITING && done.get() < 2 && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(200_000);
                    }
                }
            };
            JpfShootdown m = new JpfShootdown(config("cpus=2,pages=2,mode=single,ops=cpu0:mprotect(0);cpu0:mprotect(1)"), 0, hold);
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            initiator.set(Thread.currentThread());
            m.cpuMain(0);
            join(t1);
            assertThat(m.firstViolation()).isNull();
            assertThat(served).hasValue(2);
            assertThat(done).hasValue(2);
        });
    }

    @Test
    void anInterruptedIdleCpuRecordsTlb5AndKeepsItsInterruptStatus() {
        assertTimeoutPreemptively(LIMIT, () -> {
            JpfShootdown m = new JpfShootdown(config("cpus=2,pages=1,mode=single,ops="), 0, null);
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread t0 = start("cpu0", () -> {
                m.cpuMain(0);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            awaitParked(t0);
            assertThat(m.broken()).isNull();
            t0.interrupt();
            join(t0);
            assertThat(m.broken()).isEqualTo(JpfShootdown.Broken.TLB_5);
            assertThat(m.firstViolation()).isEqualTo("TLB-5: cpu0 made no progress in 100 waits");
            assertThat(stillInterrupted).isTrue();
        });
    }

    /** TLB-5 wait-irqs-off: both CPUs park waiting for each other until cpu0 is interrupted. */
    @Test
    void twoCpusWaitingWithInterruptsOffStayParkedUntilOneIsInterrupted() {
        assertTimeoutPreemptively(LIMIT, () -> {
            JpfShootdown m = new JpfShootdown(
                    config("cpus=2,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off"), 0, null);
            Thread t0 = cpu(m, 0);
            awaitParked(t0);
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            awaitParked(t0);
            assertThat(m.broken()).isNull();
            t0.interrupt();
            join(t0);
            join(t1);
            assertThat(m.firstViolation()).isEqualTo("TLB-5: cpu0 made no progress in 100 waits");
            assertThat(m.frameTable().free(1)).as("cpu1's munmap completed").isTrue();
            assertThat(m.frameTable().free(0)).as("cpu0's munmap was abandoned").isFalse();
        });
    }

    /** TLB-2 lazy-reuse-early where cpu1 never runs: cpu0 releases f1 although cpu1's TLB reaches it. */
    @Test
    void lazyReuseEarlyFreesAFrameAnotherTlbStillReaches() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Trace trace = new Trace();
            JpfShootdown bad = new JpfShootdown(config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(1),bug=lazy-reuse-early"),
                    TINY_WAIT_MILLIS, trace);
            bad.cpuMain(0);
            assertThat(bad.firstViolation()).isEqualTo("TLB-2: cpu0 freed f1 but cpu1's TLB still reaches it");
            assertThat(trace.list()).containsExactly("OP_DONE@0", "FREED@0");
            JpfShootdown fine = new JpfShootdown(config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(1)"), TINY_WAIT_MILLIS, null);
            fine.cpuMain(0);
            assertThat(fine.firstViolation()).isEqualTo("TLB-5: cpu0 made no progress in 100 waits");
            assertThat(fine.frameTable().deferred(1)).isTrue();
        });
    }

    /**
     * cpu2 never runs: cpu0's munmap is never acknowledged (TLB-5) and keeps page 0 locked, so
     * cpu1's mprotect of page 0 waits for the lock, serving cpu0's IPI meanwhile, and never completes.
     */
    @Test
    void aCpuWaitingForAPageLockServesIpisAndNeverCompletes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Trace trace = new Trace();
            JpfShootdown m = new JpfShootdown(config("cpus=3,pages=1,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(0)"),
                    TINY_WAIT_MILLIS, trace);
            m.cpuMain(0);
            assertThat(m.firstViolation()).isEqualTo("TLB-5: cpu0 made no progress in 100 waits");
            m.cpuMain(1);
            assertThat(trace.list()).containsExactly("BEFORE_SERVE@1", "BETWEEN_TARGET_STEPS@1");
            assertThat(m.frameTable().free(0)).isFalse();
        });
    }

    /** A CPU's next operation on the same page starts because the first released its page lock. */
    @Test
    void anOperationReleasesItsPageLockForTheNext() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Trace trace = new Trace();
            JpfShootdown m = new JpfShootdown(config("cpus=1,pages=1,mode=single,ops=cpu0:mprotect(0);cpu0:munmap(0)"),
                    TINY_WAIT_MILLIS, trace);
            m.cpuMain(0);
            assertThat(m.firstViolation()).isNull();
            assertThat(trace.list()).containsExactly("OP_DONE@0", "FREED@0", "OP_DONE@0");
            assertThat(m.frameTable().free(0)).isTrue();
        });
    }

    /**
     * TLB-1 and TLB-3 are checked on the operation's own pages only: a lazily unmapped page that
     * cpu1 still caches (legal until cpu1 catches up) is not the mprotect's business; the mprotect
     * that left cpu1 out of its mask (missing-cpu) is.
     */
    @Test
    void aCompletedOperationIsCheckedOnItsOwnPagesOnly() {
        assertTimeoutPreemptively(LIMIT, () -> {
            JpfShootdown m = new JpfShootdown(config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(0);cpu0:mprotect(1),bug=missing-cpu"),
                    TINY_WAIT_MILLIS, null);
            m.cpuMain(0);
            assertThat(m.firstViolation()).isEqualTo("TLB-3: cpu0's mprotect completed, but cpu1 still caches p1 writable");
        });
    }

    @Test
    void runAllInterruptedWhileJoiningThrowsAndKeepsTheInterrupt() {
        assertTimeoutPreemptively(LIMIT, () -> {
            JpfShootdown m = new JpfShootdown(config("cpus=2,pages=1,mode=single,ops=cpu0:munmap(0)"), 20, null);
            Thread.currentThread().interrupt();
            assertThatThrownBy(m::runAll).isInstanceOf(IllegalStateException.class)
                    .hasMessage("interrupted while joining a CPU thread");
            assertThat(Thread.interrupted()).isTrue();
        });
    }
}

