package org.mmspec.pcp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Runs Lincheck's model checker on {@link PcpLincheckSubject}: the per-CPU frame caches are
 * linearizable against the sequential caches, and each seeded bug is caught on real threads.
 *
 * <p>Small bounds on purpose (two cores): a few random scenarios of two threads with three
 * operations each, plus hand-written ones: both CPUs refill from the node at once (the contention
 * the node lock exists for), and one CPU frees past its high watermark (a drain) while the other
 * refills. Raise them with {@code -Dmmspec.scale}.
 */
class PcpLincheckTest {
    private static final int SCALE = Math.max(1, Integer.getInteger("mmspec.scale", 1));

    /** Both CPUs start with empty caches and allocate at once: two refills from one node. */
    static ExecutionScenario refillContention() {
        try {
            Class<?> s = PcpLincheckSubject.class;
            Method alloc = s.getMethod("alloc", int.class, int.class);
            Method free = s.getMethod("free", int.class);
            Method inv = s.getMethod("invariants");
            return new ExecutionScenario(List.of(),
                    List.of(List.of(new Actor(alloc, List.of(0, 1)), new Actor(free, List.of(0))),
                            List.of(new Actor(alloc, List.of(1, 2)), new Actor(free, List.of(1)))),
                    List.of(), new Actor(inv, List.of()));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Init: CPU 0 takes three frames. Then CPU 0 frees them (its cache overflows, so it drains) while CPU 1 refills. */
    static ExecutionScenario drainContention() {
        try {
            Class<?> s = PcpLincheckSubject.class;
            Method alloc = s.getMethod("alloc", int.class, int.class);
            Method free = s.getMethod("free", int.class);
            Method inv = s.getMethod("invariants");
            return new ExecutionScenario(
                    List.of(new Actor(alloc, List.of(0, 1)), new Actor(alloc, List.of(0, 2)), new Actor(alloc, List.of(0, 3))),
                    List.of(List.of(new Actor(free, List.of(0)), new Actor(free, List.of(0)), new Actor(free, List.of(0))),
                            List.of(new Actor(alloc, List.of(1, 4)), new Actor(alloc, List.of(1, 5)))),
                    List.of(), new Actor(inv, List.of()));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    static ModelCheckingOptions options() {
        return new ModelCheckingOptions().iterations(3 * SCALE).invocationsPerIteration(60 * SCALE).threads(2)
                .actorsPerThread(3).actorsBefore(1).actorsAfter(1).addCustomScenario(refillContention())
                .addCustomScenario(drainContention());
    }

    @Test
    void perCpuFrameCachesAreLinearizable() {
        options().check(PcpLincheckSubject.class);
    }

    @Test
    void lincheckCatchesAMissingNodeLock() {
        assertThatThrownBy(() -> new ModelCheckingOptions().iterations(0).invocationsPerIteration(300)
                .addCustomScenario(refillContention()).check(PcpLincheckSubject.NoNodeLock.class))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void PCP_2_lincheckCatchesARefillThatTakesAFrameTwice() {
        assertThatThrownBy(() -> options().check(PcpLincheckSubject.RefillTakesTwice.class)).isInstanceOf(AssertionError.class);
    }

    @Test
    void PCP_1_lincheckCatchesADrainThatLosesAFrame() {
        assertThatThrownBy(() -> options().check(PcpLincheckSubject.DrainLosesFrame.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PCP-1");
    }

    @Test
    void PCP_4_lincheckCatchesAWatermarkOffByOne() {
        assertThatThrownBy(() -> options().check(PcpLincheckSubject.WatermarkOffByOne.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PCP-4");
    }
}
