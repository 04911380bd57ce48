package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.model;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSuite;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The state key is one-to-one on everything a state holds: two states that differ in any single
 * field of the shared part, of any CPU (script, operation, step, acknowledgements, mailbox, the
 * initiator served and the handler step, generation, frames to free, request: mask, pages, mode)
 * or of the cost ghost are different states, with different keys, and equal states have equal keys
 * and hash codes. Also the stale-entry words of the invariants, and the model and suite registries.
 */
class TlbStateKeyTest {
    private static final ShootdownModel M = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(0-1),symmetry=off");
    private static final TlbShootdown REQUEST = new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.SINGLE);

    private static TlbState.Cpu cpu(int script, int opIndex, int pc, int acks, int mailbox, int serving, int servePc, int localGen,
            int toFree, TlbShootdown request, Tlb tlb) {
        return new TlbState.Cpu(script, opIndex, pc, acks, mailbox, serving, servePc, localGen, toFree, request, tlb);
    }

    private static final Tlb EMPTY = Tlb.empty(2);

    private static TlbState state(TlbState.Cpu c0, TlbState.Cpu c1) {
        TlbState s = M.initial();
        return new TlbState(M, s.pt, s.frames, 0, new TlbState.Cpu[] {c0, c1});
    }

    private static TlbState.Cpu base() {
        return cpu(0, 0, 0, 0, 0, -1, 0, 0, 0, null, EMPTY);
    }

    @Test
    void everyCpuFieldIsPartOfTheKey() {
        TlbState.Cpu idle = cpu(1, 0, 0, 0, 0, -1, 0, 0, 0, null, EMPTY);
        List<TlbState.Cpu> variants = List.of(
                base(),
                cpu(1, 0, 0, 0, 0, -1, 0, 0, 0, null, EMPTY),
                cpu(0, 1, 0, 0, 0, -1, 0, 0, 0, null, EMPTY),
                cpu(0, 0, 1, 0, 0, -1, 0, 0, 0, null, EMPTY),
                cpu(0, 0, 0, 0b10, 0, -1, 0, 0, 0, null, EMPTY),
                cpu(0, 0, 0, 0, 0b10, -1, 0, 0, 0, null, EMPTY),
                cpu(0, 0, 0, 0, 0, 0, 0, 0, 0, null, EMPTY),
                cpu(0, 0, 0, 0, 0, 1, 0, 0, 0, null, EMPTY),
                cpu(0, 0, 0, 0, 0, 1, 1, 0, 0, null, EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 1, 0, null, EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 0, 0b1, null, EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 0, 0, new TlbShootdown(CpuMask.NONE, 0b01, ShootdownMode.SINGLE), EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 0, 0, REQUEST, EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 0, 0, new TlbShootdown(CpuMask.of(1), 0b10, ShootdownMode.SINGLE), EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 0, 0, new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.RANGE), EMPTY),
                cpu(0, 0, 0, 0, 0, -1, 0, 0, 0, null, Mmu.fill(EMPTY, M.config().initialPageTable(), 0)));
        List<TlbState> states = new ArrayList<>();
        for (TlbState.Cpu v : variants) {
            states.add(state(v, idle));
        }
        for (int i = 0; i < states.size(); i++) {
            for (int j = 0; j < states.size(); j++) {
                assertThat(states.get(i).equals(states.get(j))).as("variant %d against %d", i, j).isEqualTo(i == j);
                assertThat(M.key(states.get(i)).equals(M.key(states.get(j)))).as("key of %d against %d", i, j).isEqualTo(i == j);
            }
            assertThat(states.get(i).equals(state(variants.get(i), idle))).isTrue();
            assertThat(states.get(i).hashCode()).isEqualTo(state(variants.get(i), idle).hashCode());
        }
        assertThat(states.get(0).equals("not a state")).isFalse();
        assertThat(states.get(0).hashCode()).isNotEqualTo(states.get(1).hashCode());
    }

    @Test
    void theSharedPartAndTheGhostArePartOfTheKey() {
        TlbState s = M.initial();
        assertThat(s.cpuCount()).isEqualTo(2);
        assertThat(s.generation()).isZero();
        TlbState later = s.with(s.pt, s.frames, 1, s.cpus);
        assertThat(later.generation()).isEqualTo(1);
        assertThat(later).isNotEqualTo(s);
        assertThat(s.with(s.pt.with(1, Pte.NONE), s.frames, 0, s.cpus)).isNotEqualTo(s);
        assertThat(s.with(s.pt, s.frames.release(1), 0, s.cpus)).isNotEqualTo(s);

        Tlb warm = Mmu.fill(Mmu.fill(EMPTY, s.pt, 0), s.pt, 1);
        FlushCost.Flush f = new FlushCost.Flush(1, new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.FULL), warm, EMPTY);
        TlbState breached = new TlbState(M, s.pt, s.frames, 0, s.cpus, f);
        long[] key = breached.key(M.identity, M.identityRenamed);
        assertThat(key).hasSize(2 + 2 * 2 + 3);
        assertThat(s.key(M.identity, M.identityRenamed)).hasSize(2 + 2 * 2);
        assertThat(breached).isNotEqualTo(s).isEqualTo(new TlbState(M, s.pt, s.frames, 0, s.cpus, f));
        List<FlushCost.Flush> others = List.of(
                new FlushCost.Flush(0, f.request(), warm, EMPTY),
                new FlushCost.Flush(1, new TlbShootdown(CpuMask.of(0), 0b01, ShootdownMode.FULL), warm, EMPTY),
                new FlushCost.Flush(1, new TlbShootdown(CpuMask.of(1), 0b10, ShootdownMode.FULL), warm, EMPTY),
                new FlushCost.Flush(1, new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.GLOBAL), warm, EMPTY),
                new FlushCost.Flush(1, f.request(), Mmu.fill(EMPTY, s.pt, 0), EMPTY),
                new FlushCost.Flush(1, f.request(), warm, Mmu.fill(EMPTY, s.pt, 1)));
        for (FlushCost.Flush g : others) {
            assertThat(new TlbState(M, s.pt, s.frames, 0, s.cpus, g)).as("%s", g).isNotEqualTo(breached);
        }
        // the ghost words come after every CPU's: a CPU's TLB still tells breached states apart
        assertThat(new TlbState(M, s.pt, s.frames, 0, s.withTlb(1, warm).cpus, f)).isNotEqualTo(breached);
        assertThat(new TlbState(M, s.pt, s.frames, 0, s.withTlb(0, warm).cpus, f)).isNotEqualTo(breached);
    }

    @Test
    void staleWordsCompareFramesAndPermissions() {
        int f0 = Pte.of(0, true, false);
        int f1 = Pte.of(1, true, false);
        assertThat(TlbInvariants.frameStale(f0, f1)).isTrue();
        assertThat(TlbInvariants.frameStale(f0, Pte.NONE)).isTrue();
        assertThat(TlbInvariants.frameStale(f0, f0)).isFalse();
        assertThat(TlbInvariants.frameStale(f0, Pte.readOnly(f0))).isFalse();
        assertThat(TlbInvariants.frameStale(Pte.NONE, f1)).isFalse();
        assertThat(TlbInvariants.permissionStale(f0, Pte.readOnly(f0))).isTrue();
        assertThat(TlbInvariants.permissionStale(f0, Pte.readOnly(f1))).isFalse();
        assertThat(TlbInvariants.permissionStale(Pte.readOnly(f0), Pte.readOnly(f0))).isFalse();
    }

    @Test
    void theChapterRegistersItsModelAndItsSuite() {
        List<ExhaustiveModel> models = TlbModels.all();
        assertThat(models).extracting(ExhaustiveModel::name).containsExactly("tlb-shootdown");
        assertThat(models.get(0).component()).isEqualTo("tlb");
        List<CheckSuite> suites = TlbSuites.all();
        assertThat(suites).hasSize(1);
        assertThat(suites.get(0).invariantIds()).contains("TLB-1", "TLB-9");
    }
}
