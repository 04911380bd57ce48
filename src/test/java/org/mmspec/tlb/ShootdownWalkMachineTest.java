package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.model;
import static org.mmspec.tlb.TlbTestSupport.walk;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.RuleDriver;
import org.mmspec.check.store.Fingerprinted;
import org.mmspec.check.Violation;
import org.mmspec.tlb.hw.Mmu;

/**
 * The random walk's generator and its lifted invariants: the configurations it draws cover every
 * CPU count, page count, mode, operation kind, TLB size, threshold and global page in their ranges
 * (and nothing outside them); copy-on-write breaks stay within the eight frames a frame table
 * holds; and an invariant broken in the walk's state is reported with the model's detail.
 */
class ShootdownWalkMachineTest {
    private static final ShootdownWalkMachine MACHINE = new ShootdownWalkMachine();

    @Test
    void drawnConfigurationsCoverEveryRangeAndStayInside() {
        Set<Integer> cpus = new HashSet<>();
        Set<Integer> pages = new HashSet<>();
        Set<String> modes = new HashSet<>();
        Set<Integer> opCounts = new HashSet<>();
        Set<KernelOp.Kind> kinds = new HashSet<>();
        Set<Integer> thresholds = new HashSet<>();
        Set<Integer> tlbs = new HashSet<>();
        Set<Integer> globals = new HashSet<>();
        for (long seed = 0; seed < 600; seed++) {
            TlbConfig cfg = MACHINE.init(Choices.random(seed)).model.config();
            cpus.add(cfg.cpus());
            pages.add(cfg.pages());
            modes.add(cfg.lazy() ? "lazy" : cfg.mode().name());
            int ops = 0;
            for (int c = 0; c < cfg.cpus(); c++) {
                for (KernelOp op : cfg.script(c)) {
                    ops++;
                    kinds.add(op.kind());
                    assertThat(op.pages() >>> cfg.pages()).isZero();
                }
            }
            opCounts.add(ops);
            thresholds.add(cfg.threshold());
            assertThat(cfg.tlbCapacity()).isBetween(1, cfg.pages());
            tlbs.add(cfg.tlbCapacity());
            assertThat(cfg.globalPages() >>> cfg.pages()).as("global page inside the window").isZero();
            assertThat(Integer.bitCount(cfg.globalPages())).isLessThanOrEqualTo(1);
            globals.add(cfg.globalPages());
            assertThat(cfg.frames()).isLessThanOrEqualTo(FrameTable.MAX_FRAMES);
        }
        assertThat(cpus).containsExactlyInAnyOrder(2, 3, 4, 5, 6);
        assertThat(pages).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(modes).containsExactlyInAnyOrder("SINGLE", "RANGE", "GLOBAL", "FULL", "lazy");
        assertThat(opCounts).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(kinds).containsExactlyInAnyOrder(KernelOp.Kind.values());
        assertThat(thresholds).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(tlbs).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(globals).containsExactlyInAnyOrder(0, 0b1, 0b10, 0b100, 0b1000);
    }

    @Test
    void threeCowBreaksOnFourPagesFillTheFrameTableExactly() {
        // cpus 6, pages 4, mode single, three operations, each cow(lo) on cpu i, no global page, tlb 1, threshold 1
        long[] draws = {4, 3, 0, 2, 2, 3, 0, 2, 2, 1, 2, 1, 2, 0, 0, 0};
        TlbConfig cfg = MACHINE.init(Choices.replay(draws)).model.config();
        assertThat(cfg.cowOps()).isEqualTo(3);
        assertThat(cfg.frames()).isEqualTo(FrameTable.MAX_FRAMES);
        assertThat(cfg.script(0)).containsExactly(KernelOp.parse("cow(3)"));
        assertThat(cfg.script(1)).containsExactly(KernelOp.parse("cow(2)"));
        assertThat(cfg.script(2)).containsExactly(KernelOp.parse("cow(1)"));
        assertThat(cfg.globalPages()).isZero();
        assertThat(cfg.tlbCapacity()).isEqualTo(1);
        assertThat(cfg.threshold()).isEqualTo(1);
        // the first draw of the global page, 0, is page 0 when shifted by one
        long[] global0 = {4, 3, 0, 0, 0, 0, 0, 0, 1, 0, 0};
        assertThat(MACHINE.init(Choices.replay(global0)).model.config().globalPages()).isEqualTo(0b1);
    }

    @Test
    void theWalkReportsTheModelsInvariantsWithTheirDetail() {
        ShootdownModel m = model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)");
        TlbState done = walk(m, "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): send IPIs", "cpu0 munmap(p0): invalidate locally",
                "cpu1 takes IPI", "cpu1 ack", "cpu2 takes IPI", "cpu2 ack", "cpu0 munmap(p0): all acknowledgements in");
        ShootdownWalkMachine.Walk w = new ShootdownWalkMachine.Walk(m);
        assertThat(MACHINE.invariants().violations(w)).isEmpty();
        w.state = done.withTlb(1, Mmu.fill(done.tlb(1), m.config().initialPageTable(), 0));
        List<Violation> v = MACHINE.invariants().violations(w);
        assertThat(v).extracting(Violation::invariantId).containsExactly("TLB-1");
        assertThat(v.get(0).detail()).isEqualTo("cpu0's munmap(p0) completed, but cpu1 still caches p0 -> f0 rw (PTE -)");
        assertThat(MACHINE.invariants().ids()).containsExactly("TLB-1", "TLB-2", "TLB-3", "TLB-4", "TLB-5", "TLB-6", "TLB-7",
                "TLB-8", "TLB-9");
        assertThat(MACHINE.name()).isEqualTo("tlb-walk");
    }

    @Test
    void theRequestRuleDrawsInitiatorsMasksAndPagesOneBitPastTheMachine() {
        ShootdownWalkMachine.Walk w = new ShootdownWalkMachine.Walk(model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)"));
        // initiator -1..3, mask 0..15, pages 0..7: the highest draw of each names one CPU or page too many
        assertThat(RuleDriver.apply(MACHINE, "request", w, 4, 15, 7, 0))
                .isEqualTo("validate(cpu3, TlbShootdown{{cpu0,cpu1,cpu2,cpu3}, pages p0-2, SINGLE}) -> rejected BAD_CPU");
        assertThat(RuleDriver.apply(MACHINE, "request", w, 1, 17, 9, 1))
                .isEqualTo("validate(cpu0, TlbShootdown{{cpu0}, pages p0, RANGE}) -> rejected BAD_CPU");
        assertThat(RuleDriver.apply(MACHINE, "request", w, 2, 4, 3, 1))
                .isEqualTo("validate(cpu1, TlbShootdown{{cpu2}, pages p0-1, RANGE}) -> true");
    }

    @Test
    void theWalkSnapshotIsTheModelKeyAndItsRenderingTheConfigurationThenTheState() {
        ShootdownModel m = model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)");
        ShootdownWalkMachine.Walk w = new ShootdownWalkMachine.Walk(m);
        assertThat(MACHINE.snapshot(w)).isEqualTo(m.key(m.initial()));
        assertThat(w).hasToString(m.config() + "\n" + m.initial());
        Object before = MACHINE.snapshot(w);
        w.state = walk(m, "hw cpu1 fills p0");
        assertThat(MACHINE.snapshot(w)).isNotEqualTo(before);
        long a = ((Fingerprinted) m.key(m.initial())).fingerprint();
        assertThat(((Fingerprinted) m.key(m.initial())).fingerprint()).isEqualTo(a).isNotZero();
        assertThat(((Fingerprinted) m.key(w.state)).fingerprint()).isNotEqualTo(a);
    }
}
