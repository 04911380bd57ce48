package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmspec.tlb.TlbTestSupport.model;
import static org.mmspec.tlb.TlbTestSupport.walk;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Liveness;
import org.mmspec.tlb.hw.Pte;

/**
 * The protocol's step 1 and request check at their edges: a reclaim frees the leaf table's frame
 * with the pages' frames; a copy-on-write break may take frame 0 when it is the lowest free one
 * and frees the old frame; a rejected request names the highest CPU and page there are; the
 * modelled cost is the configured cost model's. Also the model's TLB-L2 members (one per target and
 * initiator, watching that initiator's mailbox bit) and a reclaim whose pages are already unmapped,
 * whose PTE write is the unlink alone.
 */
class ShootdownProtocolEdgesTest {
    private static final TlbShootdown TO_CPU1 = new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.SINGLE);

    @Test
    void aReclaimFreesTheLeafTablesFrameWithThePagesFrames() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:reclaim");
        TlbState s = m.initial();
        ShootdownProtocol.Plan p = m.protocol.plan(0, KernelOp.parse("reclaim"), s.pt, s.frames);
        assertThat(s.pt.tableFrame()).isEqualTo(2);
        assertThat(p.toFree()).isEqualTo(0b111);
        assertThat(p.pageTable().tablePresent()).isFalse();
    }

    @Test
    void aCowBreakMayTakeFrameZeroAndFreesTheOldFrame() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:cow(1)");
        TlbState s = m.initial();
        FrameTable zeroFree = FrameTable.of(m.config().frames(), 0b101);
        ShootdownProtocol.Plan p = m.protocol.plan(0, KernelOp.parse("cow(1)"), s.pt, zeroFree);
        assertThat(p).isNotNull();
        assertThat(Pte.frame(p.pageTable().pte(1))).isZero();
        assertThat(Pte.writable(p.pageTable().pte(1))).isTrue();
        assertThat(p.frames().free(0)).isFalse();
        assertThat(p.frames().free(2)).isTrue();
        assertThat(p.toFree()).isEqualTo(0b10);
        assertThat(m.protocol.plan(0, KernelOp.parse("cow(1)"), s.pt, FrameTable.of(m.config().frames(), 0))).isNull();
    }

    @Test
    void aRejectedRequestNamesTheHighestCpuAndPage() {
        assertThatThrownBy(() -> ShootdownProtocol.validate(4, TO_CPU1, 4, 2)).isInstanceOf(TlbError.class)
                .hasMessage("initiator cpu4 outside 0..3");
        TlbShootdown past = new TlbShootdown(CpuMask.ofBits(0b10010), 0b01, ShootdownMode.SINGLE);
        assertThatThrownBy(() -> ShootdownProtocol.validate(0, past, 4, 2)).isInstanceOf(TlbError.class)
                .hasMessage("mask " + past.cpuMask() + " names a CPU past cpu3");
        TlbShootdown outside = new TlbShootdown(CpuMask.of(1), 0b101, ShootdownMode.SINGLE);
        assertThatThrownBy(() -> ShootdownProtocol.validate(0, outside, 4, 2)).isInstanceOf(TlbError.class)
                .hasMessage("pages p0,p2 outside p0..p1");
    }

    @Test
    void theModelledCostIsTheConfiguredCostModels() {
        ShootdownModel m = model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)");
        TlbShootdown two = new TlbShootdown(CpuMask.of(1).with(2), 0b01, ShootdownMode.SINGLE);
        assertThat(m.protocol.costNanos(two)).isEqualTo(m.config().cost().nanos(two)).isPositive();
        assertThat(m.protocol.costNanos(TO_CPU1)).isLessThan(m.protocol.costNanos(two));
    }

    @Test
    void eachIpiLivenessMemberWatchesItsInitiatorsBitOfItsTargetsMailbox() {
        ShootdownModel m = model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0),symmetry=off");
        List<String> ipis = new ArrayList<>();
        for (Liveness<TlbState> l : m.liveness()) {
            if (l.id().equals("TLB-L2")) {
                ipis.add(l.instance());
                int target = l.instance().charAt(l.instance().length() - 1) - '0';
                int initiator = l.instance().charAt(3) - '0';
                assertThat(l.p().test(m.initial())).isFalse();
                assertThat(l.q().test(m.initial())).isTrue();
                for (int from = 0; from < 3; from++) {
                    TlbState pending = m.initial().withMailbox(target, 1 << from);
                    assertThat(l.p().test(pending)).as("%s, mailbox from cpu%d", l.instance(), from).isEqualTo(from == initiator);
                    assertThat(l.q().test(pending)).isEqualTo(from != initiator);
                }
            }
        }
        assertThat(ipis).containsExactly("cpu1's IPI to cpu0", "cpu2's IPI to cpu0", "cpu0's IPI to cpu1", "cpu2's IPI to cpu1",
                "cpu0's IPI to cpu2", "cpu1's IPI to cpu2");
    }

    @Test
    void aReclaimOfUnmappedPagesWritesOnlyTheUnlink() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0-1);cpu1:reclaim");
        TlbState unmapped = walk(m, "cpu0 munmap(p0-1): write PTEs", "cpu0 munmap(p0-1): send", "cpu0 munmap(p0-1): invalidate locally",
                "cpu1 takes IPI", "cpu1 ack", "cpu0 munmap(p0-1): all", "cpu0 munmap(p0-1): free", "cpu0 munmap(p0-1): returns");
        List<String> labels = new ArrayList<>();
        m.successors(unmapped, (l, n) -> labels.add(l.get()));
        assertThat(labels).contains("cpu1 reclaim: write PTEs unlink leaf table f2; request TlbShootdown{{cpu0}, pages p0-1, SINGLE}");
        assertThat(m.codec()).isNotNull();
    }
}
