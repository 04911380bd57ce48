package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckOptions;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.ForwardingSystem;
import org.mmspec.check.PartialOrder;
import org.mmspec.check.Progress;
import org.mmspec.check.TransitionSystem;

/**
 * Why partial-order reduction leaves the shootdown model whole (spec/checking-core.md §0.4.5):
 * the declared footprints ({@link ShootdownFootprints}) relaxed step by step, most of the
 * relaxations unsound, on the {@code single} configuration (18,992 states). No visibility rule
 * helps: with nothing visible at all the count is unchanged, because C1 (independence) already
 * fails. It still fails when the hardware is ignored and each CPU's next step is taken to touch
 * only its own fields, since every other CPU may later read every CPU's operation (the
 * overlapping-operation check, a target reading its initiator's request) and write every mailbox
 * and acknowledgement (SEND_IPIS, ACK). Only declaring the CPUs wholly independent, which is
 * false, reduces; that shows the reduction itself is not inert.
 */
class ShootdownPorLimitsTest {
    static final String SINGLE = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)";
    static final int CPUS = 3;
    static final long STATES = 18_992;

    /** How far the declaration is relaxed. */
    enum Relaxation {
        /** The model's own declaration. */
        DECLARED,
        /** No invariant reads anything: the limit of any finer visibility rule. */
        NOTHING_VISIBLE,
        /** ... and the hardware's fills and evictions depend on nothing (unsound). */
        NO_HARDWARE,
        /** ... and a CPU's next step touches only its own TLB, operation, acks, mailbox and IPI served (unsound). */
        OWN_NEXT_STEP,
        /** ... and every later step of every CPU too: the CPUs wholly independent (false). */
        ALL_INDEPENDENT
    }

    static ExplorationResult explore(Relaxation r) {
        ShootdownModel m = TlbTestSupport.model(SINGLE);
        PartialOrder<TlbState> declared = m.partialOrder();
        PartialOrder<TlbState> relaxed = new PartialOrder<>() {
            private long own(int p) {
                // the fields TLB, OP, ACKS, MAILBOX, SERVE of CPU p (ShootdownFootprints' layout), not LOCAL_GEN
                return 0b11111L << (4 + 6 * p);
            }

            private boolean cpu(int p) {
                return p >= 0 && p < CPUS;
            }

            @Override
            public int processes() {
                return declared.processes();
            }

            @Override
            public long visible() {
                return r == Relaxation.DECLARED ? declared.visible() : 0L;
            }

            @Override
            public long nextReads(TlbState s, int p) {
                return r.compareTo(Relaxation.OWN_NEXT_STEP) >= 0 && cpu(p) ? own(p) : declared.nextReads(s, p);
            }

            @Override
            public long nextWrites(TlbState s, int p) {
                return r.compareTo(Relaxation.OWN_NEXT_STEP) >= 0 && cpu(p) ? own(p) : declared.nextWrites(s, p);
            }

            @Override
            public long laterReads(TlbState s, int p) {
                if (p == ENVIRONMENT && r.compareTo(Relaxation.NO_HARDWARE) >= 0) {
                    return 0L;
                }
                return r == Relaxation.ALL_INDEPENDENT && cpu(p) ? own(p) : declared.laterReads(s, p);
            }

            @Override
            public long laterWrites(TlbState s, int p) {
                if (p == ENVIRONMENT && r.compareTo(Relaxation.NO_HARDWARE) >= 0) {
                    return 0L;
                }
                return r == Relaxation.ALL_INDEPENDENT && cpu(p) ? own(p) : declared.laterWrites(s, p);
            }
        };
        TransitionSystem<TlbState> system = new ForwardingSystem<>(m) {
            @Override
            public PartialOrder<TlbState> partialOrder() {
                return relaxed;
            }
        };
        return Explorer.explore(system, ExploreBounds.unbounded(), Progress.NONE, ExplorerSettings.fromProperties(),
                CheckOptions.DEFAULT.withPor(true));
    }

    @Test
    void noVisibilityRuleReducesBecauseEveryCpuMayLaterTouchEveryOperationMailboxAndAck() {
        for (Relaxation r : List.of(Relaxation.DECLARED, Relaxation.NOTHING_VISIBLE, Relaxation.NO_HARDWARE,
                Relaxation.OWN_NEXT_STEP)) {
            ExplorationResult result = explore(r);
            assertThat(result.passed()).as(r.name()).isTrue();
            assertThat(result.distinctStates()).as(r.name()).isEqualTo(STATES);
        }
    }

    @Test
    void onlyFalseIndependenceReduces() {
        assertThat(explore(Relaxation.ALL_INDEPENDENT).distinctStates()).isLessThan(STATES / 100);
    }
}
