package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Runs Lincheck's model checker on {@link PerCpuCacheLincheckSubject}: the correct heap is
 * linearizable against the sequential heap, and each seeded per-CPU-cache bug is caught.
 *
 * <p>Bounds are small on purpose (Lincheck's defaults take minutes on two cores): a few random
 * scenarios of two threads with three operations each, plus one hand-written scenario in which
 * both CPUs refill from the same partial slab at once, the contention a refill's depot lock
 * exists for, and one in which one CPU flushes while the other refills. Raise them with {@code -Dmmspec.scale}.
 */
class PerCpuCacheLincheckTest {

    private static final int SCALE = Math.max(1, Integer.getInteger("mmspec.scale", 1));

    /** Init: CPU 0 takes one of a fresh slab's two objects. Then both CPUs refill from that slab at once, and free. */
    static ExecutionScenario refillContention() {
        try {
            Class<?> s = PerCpuCacheLincheckSubject.class;
            Method alloc = s.getMethod("alloc", int.class, int.class);
            Method free = s.getMethod("free", int.class);
            Method inv = s.getMethod("invariants");
            return new ExecutionScenario(List.of(new Actor(alloc, List.of(0, 1))),
                    List.of(List.of(new Actor(alloc, List.of(0, 2)), new Actor(free, List.of(0))),
                            List.of(new Actor(alloc, List.of(1, 3)), new Actor(free, List.of(1)))),
                    List.of(), new Actor(inv, List.of()));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Init: CPU 0 takes three objects. Then CPU 0 frees all three (its cache of two overflows, so it flushes) while CPU 1 refills. */
    static ExecutionScenario flushContention() {
        try {
            Class<?> s = PerCpuCacheLincheckSubject.class;
            Method alloc = s.getMethod("alloc", int.class, int.class);
            Method free = s.getMethod("free", int.class);
            Method inv = s.getMethod("invariants");
            return new ExecutionScenario(
                    List.of(new Actor(alloc, List.of(0, 1)), new Actor(alloc, List.of(0, 2)), new Actor(alloc, List.of(0, 3))),
                    List.of(List.of(new Actor(free, List.of(0)), new Actor(free, List.of(0)), new Actor(free, List.of(0))),
                            List.of(new Actor(alloc, List.of(1, 4)))),
                    List.of(), new Actor(inv, List.of()));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    static ModelCheckingOptions options() {
        return new ModelCheckingOptions().iterations(3 * SCALE).invocationsPerIteration(60 * SCALE).threads(2)
                .actorsPerThread(3).actorsBefore(1).actorsAfter(1).addCustomScenario(refillContention())
                .addCustomScenario(flushContention());
    }

    @Test
    void perCpuCachesAreLinearizable() {
        options().check(PerCpuCacheLincheckSubject.class);
    }

    @Test
    void lincheckCatchesARefillWithoutTheDepotLock() {
        assertThatThrownBy(() -> new ModelCheckingOptions().iterations(0).invocationsPerIteration(300)
                .addCustomScenario(refillContention()).check(PerCpuCacheLincheckSubject.RefillWithoutLock.class))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void lincheckCatchesAFlushThatDropsAnObject() {
        assertThatThrownBy(() -> options().check(PerCpuCacheLincheckSubject.FlushDropsObject.class))
                .isInstanceOf(AssertionError.class).hasMessageContaining("SLAB-6");
    }

    @Test
    void lincheckCatchesARefillThatTakesAnObjectTwice() {
        assertThatThrownBy(() -> options().check(PerCpuCacheLincheckSubject.RefillTakesTwice.class))
                .isInstanceOf(AssertionError.class);
    }
}
