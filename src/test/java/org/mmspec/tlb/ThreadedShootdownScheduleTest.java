package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mmspec.tlb.CpuThreads.await;
import static org.mmspec.tlb.CpuThreads.awaitParked;
import static org.mmspec.tlb.CpuThreads.awaitTrue;
import static org.mmspec.tlb.CpuThreads.join;
import static org.mmspec.tlb.CpuThreads.start;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * {@link ThreadedShootdown} on forced schedules. With untimed waits ({@code waitMillis == 0}) a CPU
 * that parks on its doorbell stays parked until someone rings it; a test starts a CPU on its own
 * thread, waits until it is parked, and only then acts as another CPU from the test thread. A
 * wake-up the executor forgets then leaves a CPU asleep for ever (the test's bound fails) instead
 * of being absorbed by a timed wait, as on random schedules. With a tiny timed wait and a CPU that
 * never runs, TLB-5's bound is reached on a schedule that cannot progress, and the message names
 * what the CPU waited for.
 */
class ThreadedShootdownScheduleTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String IDLE = "idle CPU still has work";
    private static final String NO_PROGRESS = " made no progress in " + ThreadedShootdown.WAIT_ROUNDS + " waits: ";
    private static final String INTERRUPTED = " interrupted while waiting: ";
    /** A timed wait so short that TLB-5's bound is reached in a fraction of a second. */
    private static final long TINY_WAIT_MILLIS = 1;

    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    private static ThreadedShootdown untimed(String bounds) {
        return new ThreadedShootdown(config(bounds), 0);
    }

    private static Thread cpu(ThreadedShootdown m, int c) {
        return start("cpu" + c, () -> m.cpuMain(c));
    }

    @Test
    void theLastCpuToFinishItsScriptWakesTheParkedIdleCpus() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed("cpus=3,pages=1,mode=single,ops=");
            Thread t1 = cpu(m, 1);
            Thread t2 = cpu(m, 2);
            awaitParked(t1);
            awaitParked(t2);
            m.cpuMain(0);
            join(t1);
            join(t2);
            assertThat(m.violations()).isEmpty();
        });
    }

    /**
     * The targets park first; the initiator's IPI wakes each, each acknowledgement wakes the
     * initiator, and at the end every TLB holds exactly what the page table maps (the hardware
     * refilled what the invalidations dropped, read-only after an mprotect).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "cpus=2,pages=2,mode=single,ops=cpu0:mprotect(0)",
            "cpus=3,pages=2,mode=single,ops=cpu0:munmap(0)",
            "cpus=3,pages=2,mode=range,ops=cpu0:mprotect(0-1)"})
    void anIpiWakesEachParkedTargetAndTheTlbsEndAsThePageTable(String bounds) {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed(bounds);
            int cpus = m.protocol().config().cpus();
            List<Thread> targets = new ArrayList<>();
            for (int c = 1; c < cpus; c++) {
                targets.add(cpu(m, c));
            }
            for (Thread t : targets) {
                awaitParked(t);
            }
            m.cpuMain(0);
            for (Thread t : targets) {
                join(t);
            }
            assertThat(m.violations()).isEmpty();
            assertThat(m.costs()).hasSize(1);
            PageTable pt = m.pageTable();
            for (int c = 0; c < cpus; c++) {
                Tlb tlb = m.tlb(c);
                for (int p = 0; p < pt.pages(); p++) {
                    assertThat(tlb.holds(p)).as("cpu%d p%d held", c, p).isEqualTo(Pte.present(pt.pte(p)));
                    if (tlb.holds(p)) {
                        assertThat(Pte.frame(tlb.entry(p))).as("cpu%d p%d frame", c, p).isEqualTo(Pte.frame(pt.pte(p)));
                        assertThat(Pte.writable(tlb.entry(p))).as("cpu%d p%d writable", c, p).isEqualTo(Pte.writable(pt.pte(p)));
                    }
                }
            }
        });
    }

    @Test
    void theAcknowledgementWakesTheInitiatorParkedForIt() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed("cpus=2,pages=1,mode=single,ops=cpu0:munmap(0)");
            Thread t0 = cpu(m, 0);
            awaitParked(t0);
            assertThat(m.costs()).isEmpty();
            assertThat(m.frameTable().free(0)).isFalse();
            // cpu1 takes the pending IPI inside a shootdown of its own that targets nobody, so the
            // only thing that rings cpu0 is cpu1's acknowledgement
            m.shootdown(1, new TlbShootdown(CpuMask.NONE, 0b1, ShootdownMode.SINGLE));
            awaitTrue("cpu0's munmap completes once acknowledged", () -> m.frameTable().free(0));
            m.cpuMain(1);
            join(t0);
            assertThat(m.violations()).isEmpty();
            assertThat(m.costs()).hasSize(1);
        });
    }

    /**
     * TLB-5's bound counts the rounds of a wait: an idle CPU (here woken by one shootdown per
     * round, with a timeout that never expires) gives up only after more than
     * {@link ThreadedShootdown#WAIT_ROUNDS}; with untimed waits it never gives up.
     */
    @Test
    void anIdleCpuGivesUpAfterMoreThanWaitRoundsOnlyWhenItsWaitsAreTimed() {
        assertTimeoutPreemptively(LIMIT, () -> {
            TlbShootdown toCpu0 = new TlbShootdown(CpuMask.of(0), 0b1, ShootdownMode.SINGLE);
            ThreadedShootdown timed = new ThreadedShootdown(config("cpus=2,pages=1,mode=single,ops="), 600_000);
            Thread t0 = cpu(timed, 0);
            await(t0, Thread.State.TIMED_WAITING);
            for (int i = 0; i < ThreadedShootdown.WAIT_ROUNDS; i++) {
                timed.shootdown(1, toCpu0);
            }
            assertThat(await(t0, Thread.State.TIMED_WAITING, Thread.State.TERMINATED)).isEqualTo(Thread.State.TIMED_WAITING);
            assertThat(timed.violations()).isEmpty();
            timed.shootdown(1, toCpu0);
            join(t0);
            assertThat(timed.violations()).containsExactly("TLB-5: cpu0" + NO_PROGRESS + IDLE);

            ThreadedShootdown untimed = untimed("cpus=2,pages=1,mode=single,ops=");
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread u0 = start("cpu0", () -> {
                untimed.cpuMain(0);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            awaitParked(u0);
            for (int i = 0; i < 2 * ThreadedShootdown.WAIT_ROUNDS; i++) {
                untimed.shootdown(1, toCpu0);
            }
            assertThat(await(u0, Thread.State.WAITING, Thread.State.TERMINATED)).isEqualTo(Thread.State.WAITING);
            assertThat(untimed.violations()).isEmpty();
            // an interrupt ends the wait as TLB-5, and the thread keeps its interrupt status
            u0.interrupt();
            join(u0);
            assertThat(untimed.violations()).containsExactly("TLB-5: cpu0" + INTERRUPTED + IDLE);
            assertThat(stillInterrupted).isTrue();
        });
    }

    /**
     * TLB-5 with interrupts off: each CPU waits for the other's acknowledgement and neither serves
     * the other's IPI, a real deadlock with untimed waits. An interrupt ends cpu0's wait (TLB-5);
     * once idle, cpu0 serves cpu1's IPI and cpu1 completes.
     */
    @Test
    void twoCpusWaitingWithInterruptsOffStayParkedUntilOneIsInterrupted() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed("cpus=2,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off");
            Thread t0 = cpu(m, 0);
            awaitParked(t0);
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            awaitParked(t0);
            assertThat(m.violations()).isEmpty();
            assertThat(m.frameTable().free(0)).isFalse();
            assertThat(m.frameTable().free(1)).isFalse();
            t0.interrupt();
            join(t0);
            join(t1);
            assertThat(m.violations()).isNotEmpty().allSatisfy(v -> assertThat(v).startsWith("TLB-5: cpu0" + INTERRUPTED));
            assertThat(m.violations().get(0)).isEqualTo("TLB-5: cpu0" + INTERRUPTED + "waiting for acknowledgements from {cpu1}");
            assertThat(m.frameTable().free(1)).as("cpu1's munmap completed").isTrue();
            assertThat(m.frameTable().free(0)).as("cpu0's munmap was abandoned").isFalse();
        });
    }

    /**
     * A schedule that cannot progress: cpu2 never runs, so cpu0's munmap is never acknowledged and
     * keeps page 0 locked; cpu1's mprotect of page 0 then waits for the lock. Each wait reaches
     * TLB-5's bound, and each message names what the CPU waited for.
     */
    @Test
    void tlb5NamesTheAcknowledgementsAndThePageLockACpuWaitedFor() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = new ThreadedShootdown(config("cpus=3,pages=1,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(0)"),
                    TINY_WAIT_MILLIS);
            m.cpuMain(0);
            m.cpuMain(1);
            assertThat(m.violations()).containsExactly(
                    "TLB-5: cpu0" + NO_PROGRESS + "waiting for acknowledgements from {cpu1,cpu2}",
                    "TLB-5: cpu0" + NO_PROGRESS + IDLE,
                    "TLB-5: cpu1" + NO_PROGRESS + "mprotect(p0) waits for its page lock or a free frame",
                    "TLB-5: cpu1" + NO_PROGRESS + IDLE);
            assertThat(m.tlb(1).holds(0)).as("cpu1 served cpu0's IPI while it waited for the lock").isFalse();
            assertThat(m.costs()).isEmpty();
        });
    }

    /** A response that never comes: the acknowledgement flags are reset for every request. */
    @Test
    void anAcknowledgementCountsOnlyForTheRequestItAnswered() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed("cpus=2,pages=2,mode=single,ops=");
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            m.shootdown(0, new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.SINGLE));
            t1.interrupt();
            join(t1);
            assertThat(m.violations()).containsExactly("TLB-5: cpu1" + INTERRUPTED + IDLE);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread t0 = start("cpu0", () -> {
                try {
                    outcome.set(m.shootdown(0, new TlbShootdown(CpuMask.of(1), 0b10, ShootdownMode.SINGLE)));
                } catch (RuntimeException e) {
                    outcome.set(e.getMessage());
                }
            });
            assertThat(await(t0, Thread.State.WAITING, Thread.State.TERMINATED)).as("cpu0 waits for cpu1, which is gone")
                    .isEqualTo(Thread.State.WAITING);
            t0.interrupt();
            join(t0);
            assertThat(outcome.get()).isEqualTo("TLB-5: cpu0" + INTERRUPTED + "waiting for acknowledgements from {cpu1}");
            assertThat(m.tlb(1).holds(1)).isTrue();
        });
    }

    /**
     * Lazy mode: the target parks, the initiator defers the frame and rings; the target catches
     * up with a full flush and releases the frame; a CPU that is current never flushes again, so
     * the initiator ends with its TLB refilled.
     */
    @Test
    void aLazyMunmapWakesTheParkedCpuToCatchUpAndRelease() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(0)");
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            m.cpuMain(0);
            join(t1);
            assertThat(m.violations()).isEmpty();
            assertThat(m.frameTable().free(0)).isTrue();
            for (int c = 0; c < 2; c++) {
                assertThat(m.tlb(c).holds(0)).as("cpu%d p0", c).isFalse();
            }
            // cpu1 may end right after its catch-up flush; cpu0, current since its own local
            // invalidation, never flushes, and its last round refilled what is still mapped
            assertThat(m.tlb(0).holds(1)).as("cpu0 p1 refilled").isTrue();
        });
    }

    @Test
    void deferFreeRingsTheParkedCpusSoTheyCatchUpAndReleaseTheFrame() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = untimed("cpus=2,pages=1,mode=lazy,ops=cpu0:cow(0)");
            Thread t1 = cpu(m, 1);
            awaitParked(t1);
            assertThat(m.frameTable().free(1)).as("the spare frame").isTrue();
            m.deferFree(0, 0b10);
            awaitTrue("cpu1 caught up and released f1", () -> m.frameTable().free(1));
            m.cpuMain(0);
            join(t1);
            assertThat(m.violations()).isEmpty();
            assertThat(m.pageTable().pte(0)).isEqualTo(Pte.of(1, true, false));
            assertThat(m.frameTable().free(0)).isTrue();
        });
    }

    /** Without lazy mode nobody catches up: a deferred frame stays deferred (and no TLB-2 is possible). */
    @Test
    void withoutLazyModeADeferredFrameStaysDeferred() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = new ThreadedShootdown(config("cpus=2,pages=1,mode=single,ops="), TINY_WAIT_MILLIS);
            m.deferFree(0, 0b1);
            m.cpuMain(1);
            assertThat(m.violations()).containsExactly("TLB-5: cpu1" + NO_PROGRESS + IDLE);
            assertThat(m.frameTable().deferred(0)).isTrue();
            assertThat(m.tlb(1).holds(0)).isTrue();
        });
    }

    /**
     * TLB-2 lazy-reuse-early, on the one schedule where cpu1 never runs: cpu0 releases f1 in its
     * idle loop although cpu1's TLB still reaches it. The correct rule keeps f1 deferred.
     */
    @Test
    void lazyReuseEarlyFreesAFrameAnotherTlbStillReaches() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown bad = new ThreadedShootdown(
                    config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(1),bug=lazy-reuse-early"), TINY_WAIT_MILLIS);
            bad.cpuMain(0);
            assertThat(bad.violations()).containsExactly("TLB-2: f1 is free but cpu1's TLB still reaches it",
                    "TLB-5: cpu0" + NO_PROGRESS + IDLE);
            assertThat(bad.frameTable().free(1)).isTrue();
            ThreadedShootdown fine = new ThreadedShootdown(config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(1)"), TINY_WAIT_MILLIS);
            fine.cpuMain(0);
            assertThat(fine.violations()).containsExactly("TLB-5: cpu0" + NO_PROGRESS + IDLE);
            assertThat(fine.frameTable().deferred(1)).isTrue();
        });
    }

    /**
     * A CPU that finished its script stays (serving) while a deferred frame waits for another CPU
     * to catch up, even when every script is done: here cpu1 gave up before cpu0 deferred f1.
     */
    @Test
    void anIdleCpuStaysWhileAFrameIsDeferredEvenWhenEveryScriptIsDone() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = new ThreadedShootdown(config("cpus=2,pages=2,mode=lazy,ops=cpu0:munmap(1)"), TINY_WAIT_MILLIS);
            m.cpuMain(1);
            m.cpuMain(0);
            assertThat(m.violations()).containsExactly("TLB-5: cpu1" + NO_PROGRESS + IDLE, "TLB-5: cpu0" + NO_PROGRESS + IDLE);
            assertThat(m.frameTable().deferred(1)).isTrue();
        });
    }

    /** A caller interrupted while it joins the CPU threads gets an error and keeps its interrupt status. */
    @Test
    void runAllInterruptedWhileJoiningThrowsAndKeepsTheInterrupt() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ThreadedShootdown m = new ThreadedShootdown(config("cpus=2,pages=1,mode=single,ops=cpu0:munmap(0)"));
            Thread.currentThread().interrupt();
            assertThatThrownBy(m::runAll).isInstanceOf(IllegalStateException.class).hasMessage("interrupted while joining cpu0");
            assertThat(Thread.interrupted()).isTrue();
        });
    }
}
