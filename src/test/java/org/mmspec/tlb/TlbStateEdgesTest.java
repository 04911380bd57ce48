package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.model;

import org.junit.jupiter.api.Test;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.Tlb;

/**
 * Key words at their edges: the request's mask sits above its pages and mode in a CPU's word,
 * so a mask bit never collides with a frame to free; and the cost ghost's words follow every
 * CPU's, so the last CPU's kernel word still tells two breached states apart.
 */
class TlbStateEdgesTest {
    private static final ShootdownModel M = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(0-1),symmetry=off");
    private static final Tlb EMPTY = Tlb.empty(2);

    private static TlbState state(TlbState.Cpu c0) {
        TlbState s = M.initial();
        return new TlbState(M, s.pt, s.frames, 0, new TlbState.Cpu[] {c0, s.cpus[1]});
    }

    private static TlbState.Cpu withRequest(int toFree, CpuMask mask) {
        return new TlbState.Cpu(0, 0, 1, 0, 0, -1, 0, 0, toFree, new TlbShootdown(mask, 0b01, ShootdownMode.SINGLE), EMPTY);
    }

    @Test
    void aRequestsMaskNeverCollidesWithTheFramesToFree() {
        // frame 6 to free and an empty mask, against nothing to free and the mask {cpu0}
        TlbState a = state(withRequest(1 << 6, CpuMask.NONE));
        TlbState b = state(withRequest(0, CpuMask.of(0)));
        assertThat(a).isNotEqualTo(b);
        assertThat(M.key(a)).isNotEqualTo(M.key(b));
        assertThat(a).isEqualTo(state(withRequest(1 << 6, CpuMask.NONE)));
    }

    @Test
    void theLastCpusKernelWordTellsBreachedStatesApart() {
        TlbState s = M.initial();
        Tlb warm = Mmu.fill(EMPTY, s.pt, 0);
        FlushCost.Flush f = new FlushCost.Flush(0, new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.FULL), warm, EMPTY);
        TlbState breached = new TlbState(M, s.pt, s.frames, 0, s.cpus, f);
        TlbState mailbox = new TlbState(M, s.pt, s.frames, 0, s.withMailbox(1, 0b01).cpus, f);
        assertThat(mailbox).isNotEqualTo(breached);
        assertThat(mailbox.hashCode()).isNotEqualTo(breached.hashCode());
        assertThat(breached.costBreach()).isSameAs(f);
        assertThat(mailbox).isEqualTo(new TlbState(M, s.pt, s.frames, 0, s.withMailbox(1, 0b01).cpus, f));
    }
}
