package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.mmspec.check.PartialOrder;
import org.mmspec.check.TransitionSystem;

/**
 * The shootdown model's partial-order declaration is truthful (every step writes only what its
 * process declares, checked on every explored state of several configurations), and it defers
 * nothing: every process's and the hardware's steps write a variable some invariant reads, which
 * is why POR leaves the model's counts unchanged at every bound (spec/checking-core.md §0.4.5).
 */
class ShootdownFootprintsTest {
    private static final String[] CONFIGS = {
        "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1),symmetry=off",
        "cpus=3,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(0);cpu1:cow(1);cpu2:mprotect(1),symmetry=off",
        "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:reclaim;cpu1:mprotect(0),symmetry=off",
        "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0),bug=ack-before-invalidate,symmetry=off",
    };
    private static final int MAX_STATES = 4000;

    /** The variables {@code b} differs from {@code a} in, in {@link ShootdownFootprints}' encoding. */
    private static long changed(TlbState a, TlbState b) {
        long m = 0;
        m |= Objects.equals(a.pt, b.pt) ? 0 : ShootdownFootprints.PT;
        m |= Objects.equals(a.frames, b.frames) ? 0 : ShootdownFootprints.FRAMES;
        m |= a.gen == b.gen ? 0 : ShootdownFootprints.GEN;
        m |= Objects.equals(a.costBreach, b.costBreach) ? 0 : ShootdownFootprints.GHOST;
        for (int c = 0; c < a.cpus.length; c++) {
            TlbState.Cpu x = a.cpus[c];
            TlbState.Cpu y = b.cpus[c];
            long base = 4 + 6L * c;
            m |= Objects.equals(x.tlb, y.tlb) ? 0 : 1L << base;
            m |= x.opIndex == y.opIndex && x.pc == y.pc && x.toFree == y.toFree && Objects.equals(x.request, y.request)
                    ? 0 : 1L << (base + 1);
            m |= x.acks == y.acks ? 0 : 1L << (base + 2);
            m |= x.mailbox == y.mailbox ? 0 : 1L << (base + 3);
            m |= x.serving == y.serving && x.servePc == y.servePc ? 0 : 1L << (base + 4);
            m |= x.localGen == y.localGen ? 0 : 1L << (base + 5);
        }
        return m;
    }

    @Test
    void everyStepWritesOnlyWhatItsProcessDeclares() {
        for (String bounds : CONFIGS) {
            ShootdownModel model = TlbTestSupport.model(bounds);
            PartialOrder<TlbState> order = model.partialOrder();
            Set<Object> seen = new HashSet<>();
            ArrayDeque<TlbState> queue = new ArrayDeque<>(model.initialStates());
            int steps = 0;
            while (!queue.isEmpty() && seen.size() < MAX_STATES) {
                TlbState s = queue.poll();
                if (!seen.add(model.key(s))) {
                    continue;
                }
                int[] n = {0};
                model.successors(s, new TransitionSystem.Successors<>() {
                    @Override
                    public void add(Supplier<String> label, TlbState next) {
                        add(PartialOrder.ENVIRONMENT, label, next);
                    }

                    @Override
                    public void add(int process, Supplier<String> label, TlbState next) {
                        long w = changed(s, next);
                        assertThat(w & ~order.laterWrites(s, process)).as("%s: %s writes undeclared variables", bounds,
                                label.get()).isZero();
                        n[0]++;
                        queue.add(next);
                    }
                });
                steps += n[0];
            }
            assertThat(steps).as("%s explored", bounds).isGreaterThan(1000);
        }
    }

    @Test
    void noProcessIsDeferrableBecauseEveryStepIsVisible() {
        for (int cpus = 1; cpus <= 6; cpus++) {
            ShootdownFootprints f = new ShootdownFootprints(cpus);
            for (int p = -1; p < f.processes(); p++) {
                assertThat(f.nextWrites(null, p) & f.visible()).as("%d CPUs, process %d", cpus, p).isNotZero();
                assertThat(f.deferrable(null, p)).isFalse();
            }
        }
    }
}
