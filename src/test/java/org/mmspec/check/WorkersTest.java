package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The explorer's worker pool: every index of a loop runs exactly once whatever the thread count
 * and however the range falls on block boundaries; the caller is one of the workers and a loop
 * starts one helper per block beyond the caller's, at most {@code threads - 1}, reused across
 * loops; a failure reaches the caller, and the caller's failure stops the helpers handing out
 * blocks; an interrupt while waiting for the helpers is kept and reported; close stops the pool.
 */
class WorkersTest {
    private static final long WAIT_SECONDS = 10;

    /** The live threads of all explorer pools. */
    private static Set<Thread> explorerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("mmspec-explorer"))
                .collect(Collectors.toSet());
    }

    /** The explorer threads started since {@code before} that are still alive. */
    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> now = new HashSet<>(explorerThreads());
        now.removeAll(before);
        return now;
    }

    @Test
    void everyIndexRunsExactlyOnceOnAnyNumberOfThreads() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Workers w = new Workers(threads)) {
                assertThat(w.threads()).isEqualTo(threads);
                for (int n : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 1000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    w.forEach(n, 8, hits::incrementAndGet);
                    for (int i = 0; i < n; i++) {
                        assertThat(hits.get(i)).as("threads %d, n %d, index %d", threads, n, i).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void aFailureOnAnyWorkerReachesTheCaller() {
        try (Workers w = new Workers(3)) {
            assertThatThrownBy(() -> w.forEach(1000, 4, i -> {
                if (i == 999) {
                    throw new IllegalStateException("index " + i);
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("index 999");
            assertThatThrownBy(() -> w.forEach(100, 4, i -> {
                if (i == 50) {
                    throw new StackOverflowError("deep");
                }
            })).isInstanceOf(StackOverflowError.class).hasMessage("deep");
        }
        assertThatThrownBy(() -> new Workers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be positive: 0");
    }

    @Test
    void aLoopStartsOneHelperPerBlockBeyondTheCallersAtMostThreadsMinusOne() {
        int block = 8;
        // {threads, n, helper threads started}
        int[][] cases = {{4, 8, 0}, {4, 9, 1}, {4, 15, 1}, {4, 16, 1}, {4, 17, 2}, {4, 24, 2}, {4, 25, 3}, {4, 1000, 3},
            {3, 1000, 2}, {2, 1000, 1}, {1, 1000, 0}};
        for (int[] c : cases) {
            Set<Thread> before = explorerThreads();
            try (Workers w = new Workers(c[0])) {
                AtomicIntegerArray hits = new AtomicIntegerArray(c[1]);
                w.forEach(c[1], block, hits::incrementAndGet);
                Set<Thread> started = startedSince(before);
                assertThat(started).as("threads %d, n %d", c[0], c[1]).hasSize(c[2]);
                // a pool nobody closed does not keep the JVM alive
                assertThat(started).allMatch(Thread::isDaemon);
            }
        }
    }

    @Test
    void helpersAreReusedFromLoopToLoop() {
        Set<Thread> before = explorerThreads();
        try (Workers w = new Workers(2)) {
            for (int loop = 0; loop < 3; loop++) {
                w.forEach(1000, 8, i -> { });
            }
            assertThat(startedSince(before)).hasSize(1);
        }
    }

    @Test
    void theCallersThreadIsOneOfTheWorkers() throws Exception {
        int block = 4;
        Thread caller = Thread.currentThread();
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        CountDownLatch both = new CountDownLatch(2);
        try (Workers w = new Workers(2)) {
            // each block waits for the other, so two threads must hold one block each at once
            w.forEach(2 * block, block, i -> {
                if (i % block == 0) {
                    ran.add(Thread.currentThread());
                    both.countDown();
                    try {
                        assertThat(both.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("both blocks running at once").isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
            });
        }
        assertThat(ran).hasSize(2).contains(caller);
    }

    @Test
    void aFailureOnTheCallerStopsTheHelpersHandingOutBlocks() {
        int n = 20_000_000;
        int block = 64;
        Thread caller = Thread.currentThread();
        AtomicLong helped = new AtomicLong();
        try (Workers w = new Workers(2)) {
            assertThatThrownBy(() -> w.forEach(n, block, i -> {
                if (Thread.currentThread() == caller) {
                    throw new IllegalStateException("caller fails at " + i);
                }
                helped.incrementAndGet();
            })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("caller fails at ");
        }
        // without the stop the helper would run every block but the caller's
        assertThat(helped.get()).isLessThan(n - block);
    }

    @Test
    void anInterruptWhileWaitingForTheHelpersIsKeptAndReported() throws Exception {
        Thread caller = Thread.currentThread();
        CountDownLatch helperHolds = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Workers w = new Workers(2)) {
            try {
                assertThatThrownBy(() -> w.forEach(2, 1, i -> {
                    try {
                        if (Thread.currentThread() == caller) {
                            // the helper holds the other index, so the caller waits for it next
                            assertThat(helperHolds.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                            caller.interrupt();
                        } else {
                            helperHolds.countDown();
                            release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                })).isInstanceOf(IllegalStateException.class).hasMessage("explorer worker failed")
                        .hasCauseInstanceOf(InterruptedException.class);
                assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
            } finally {
                Thread.interrupted();
                release.countDown();
            }
        }
    }

    @Test
    void closeStopsThePoolsThreads() throws Exception {
        Set<Thread> before = explorerThreads();
        Set<Thread> started;
        try (Workers w = new Workers(3)) {
            w.forEach(1000, 8, i -> { });
            started = startedSince(before);
            assertThat(started).hasSize(2);
        }
        for (Thread t : started) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(t.isAlive()).as("%s after close", t).isFalse();
        }
        new Workers(1).close();
    }

    @Test
    void aFailureOnAHelperAloneReachesTheCaller() {
        Thread caller = Thread.currentThread();
        CountDownLatch helperHolds = new CountDownLatch(1);
        try (Workers w = new Workers(2)) {
            assertThatThrownBy(() -> w.forEach(2, 1, i -> {
                if (Thread.currentThread() == caller) {
                    // wait until the helper holds the other index, so the caller cannot take both
                    try {
                        assertThat(helperHolds.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                } else {
                    helperHolds.countDown();
                    throw new IllegalArgumentException("helper fails at " + i);
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("helper fails at ");
        }
    }
}
