package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * CPU threads for schedule-forcing tests of the threaded executors: a CPU's body runs on its own
 * daemon thread, and a test waits (bounded, by polling the thread's state, never by a fixed sleep)
 * until that CPU is parked on its doorbell before it acts. With untimed waits a parked CPU stays
 * parked until someone rings it, so the order of the test's steps is the order of the schedule.
 */
public final class CpuThreads {
    /** How long a test waits for a CPU thread to reach a state; generous for a loaded machine. */
    public static final long BOUND_MILLIS = 10_000;
    /** Polling period: short, and it leaves the (shared) cores to the threads under test. */
    private static final long POLL_NANOS = 200_000;

    private CpuThreads() {
    }

    /** Starts {@code body} as daemon thread {@code name}. */
    public static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until {@code t} is in one of {@code states} and returns the state seen. */
    public static Thread.State await(Thread t, Thread.State... states) {
        Set<Thread.State> wanted = Set.of(states);
        long deadline = System.nanoTime() + BOUND_MILLIS * 1_000_000;
        Thread.State s = t.getState();
        while (!wanted.contains(s) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            s = t.getState();
        }
        assertThat(s).as("%s within %d ms", t.getName(), BOUND_MILLIS).isIn(wanted);
        return s;
    }

    /** Waits until {@code t} is parked on a monitor without a timeout. */
    public static void awaitParked(Thread t) {
        await(t, Thread.State.WAITING);
    }

    /** Waits until {@code condition} holds. */
    public static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND_MILLIS * 1_000_000;
        boolean ok = condition.getAsBoolean();
        while (!ok && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            ok = condition.getAsBoolean();
        }
        assertThat(ok).as("%s within %d ms", what, BOUND_MILLIS).isTrue();
    }

    /** Joins {@code t} (bounded) and asserts that it ended. */
    public static void join(Thread t) throws InterruptedException {
        t.join(BOUND_MILLIS);
        assertThat(t.isAlive()).as("%s still running after %d ms", t.getName(), BOUND_MILLIS).isFalse();
    }
}
