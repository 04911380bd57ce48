package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.explore;
import static org.mmspec.tlb.TlbTestSupport.model;
import static org.mmspec.tlb.TlbTestSupport.violatedIds;
import static org.mmspec.tlb.TlbTestSupport.walk;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The cost invariants of the flush rules (TLB-7, TLB-8, TLB-9): each fires alone on a state
 * corrupted in exactly its way, each has a seeded bug that the explorer and the threaded runs
 * catch under its own ID, and the correct protocol keeps all three where the rules bite (a global
 * page next to the batch, a batch at the threshold, a range next to a cached page). The same
 * rules on real threads: {@link TlbCostThreadedTest}.
 */
class TlbCostInvariantsTest {
    /** p2 is global and outside the batch p0-1, which is above threshold 1. */
    static final String ABOVE_THRESHOLD = "cpus=2,pages=3,tlb=3,mode=range,threshold=1,global=2,ops=cpu0:munmap(0-1)";
    /** A batch of one page, exactly at threshold 1. */
    static final String AT_THRESHOLD = "cpus=2,pages=2,tlb=2,mode=range,threshold=1,ops=cpu0:munmap(0)";
    /** A one-page range p0 while p1 may be cached. */
    static final String RANGE_ONE = "cpus=2,pages=2,tlb=2,mode=range,ops=cpu0:mprotect(0)";

    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    private static Tlb warm(TlbConfig cfg) {
        Tlb t = Tlb.empty(cfg.tlbCapacity());
        for (int p = 0; p < cfg.pages(); p++) {
            t = Mmu.fill(t, cfg.initialPageTable(), p);
        }
        return t;
    }

    private static ExplorationResult caught(String bounds, String id) {
        ExplorationResult r = explore(bounds);
        assertThat(r.counterexample()).as("seeded bug must be caught: " + bounds).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo(id);
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {ABOVE_THRESHOLD, AT_THRESHOLD, RANGE_ONE,
            "cpus=2,pages=3,tlb=3,mode=global,global=2,ops=cpu0:munmap(0);cpu1:mprotect(1)",
            "cpus=2,pages=3,tlb=3,mode=single,global=0,ops=cpu0:munmap(1-2);cpu1:cow(0)",
            "cpus=2,pages=3,tlb=3,mode=full,global=1,ops=cpu0:munmap(0)",
            "cpus=2,pages=3,tlb=2,mode=lazy,global=2,ops=cpu0:munmap(0-1);cpu1:cow(2)"})
    void correctProtocolKeepsTheCostRules(String bounds) {
        ExplorationResult r = explore(bounds);
        assertThat(r.passed()).as(r.counterexample().map(c -> c.render()).orElse("")).isTrue();
        assertThat(r.complete()).isTrue();
    }

    @Test
    @DisplayName("TLB-7 catches a corrupted state whose ghost invalidation dropped a global entry")
    void TLB_7_catchesAGlobalEntryDroppedForABatchWithoutGlobalPages() {
        ShootdownModel m = model(ABOVE_THRESHOLD);
        TlbState s = walk(m, "hw cpu1 fills p2", "cpu0 munmap(p0-1): write PTEs");
        assertThat(violatedIds(s)).isEmpty();
        TlbShootdown request = new TlbShootdown(CpuMask.of(1), 0b011, ShootdownMode.FULL);
        Tlb before = s.tlb(1);
        assertThat(Pte.global(before.entry(2))).isTrue();
        FlushCost.Flush f = new FlushCost.Flush(1, request, before, before.flushAll());
        TlbState bad = s.withTlb(1, f.after()).noting(f);
        assertThat(bad.costBreach()).isSameAs(f);
        assertThat(violatedIds(bad)).containsExactly("TLB-7");
        assertThat(TlbInvariants.TLB_7.evaluate(bad).get().message())
                .contains("cpu1 invalidates p0-1 (FULL) dropped the global entry p2 -> f2 rw g");
        // The same drop is fine once a page of the batch is global, and when FULL is configured.
        TlbShootdown touching = new TlbShootdown(CpuMask.of(1), 0b110, ShootdownMode.FULL);
        assertThat(FlushCost.globalKept(m.config(), new FlushCost.Flush(1, touching, before, before.flushAll()), 3)).isNull();
        TlbConfig full = config("cpus=2,pages=3,tlb=3,mode=full,global=2,ops=cpu0:munmap(0-1)");
        assertThat(FlushCost.globalKept(full, new FlushCost.Flush(1, request, before, before.flushAll()), 3)).isNull();
    }

    @Test
    @DisplayName("TLB-8 catches a corrupted request that widened a batch at the threshold")
    void TLB_8_catchesABatchAtTheThresholdWidened() {
        ShootdownModel m = model(AT_THRESHOLD);
        TlbState s = walk(m, "cpu0 munmap(p0): write PTEs");
        assertThat(violatedIds(s)).isEmpty();
        assertThat(s.cpus[0].request.mode()).isEqualTo(ShootdownMode.RANGE);
        TlbState bad = s.withRequest(0, new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.GLOBAL));
        assertThat(violatedIds(bad)).containsExactly("TLB-8");
        assertThat(TlbInvariants.TLB_8.evaluate(bad).get().message())
                .contains("cpu0's munmap(p0): a batch of 1 page(s) (threshold 1) became GLOBAL instead of RANGE");
        // Above the threshold the widening is the rule, and a configured flush of everything stays one.
        assertThat(FlushCost.thresholdKept(m.config(), new TlbShootdown(CpuMask.of(1), 0b11, ShootdownMode.GLOBAL))).isNull();
        assertThat(FlushCost.thresholdKept(config("cpus=2,pages=2,mode=global,threshold=1,ops=cpu0:munmap(0)"),
                new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.FULL))).isNull();
        assertThat(FlushCost.thresholdKept(config("cpus=2,pages=2,mode=single,threshold=1,ops=cpu0:munmap(0)"),
                new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.RANGE))).startsWith("TLB-8: ");
    }

    @Test
    @DisplayName("TLB-9 catches a corrupted state whose ghost invalidation dropped an entry outside its range")
    void TLB_9_catchesAnEntryDroppedOutsideTheMode() {
        ShootdownModel m = model(RANGE_ONE);
        TlbState s = walk(m, "hw cpu1 fills p0", "hw cpu1 fills p1", "cpu0 mprotect(p0): write PTEs");
        assertThat(violatedIds(s)).isEmpty();
        Tlb before = s.tlb(1);
        FlushCost.Flush f = new FlushCost.Flush(1, s.cpus[0].request, before, before.invalidateRange(0, 2));
        TlbState bad = s.withTlb(1, f.after()).noting(f);
        assertThat(violatedIds(bad)).containsExactly("TLB-9");
        assertThat(TlbInvariants.TLB_9.evaluate(bad).get().message())
                .contains("cpu1 invalidates p0 (RANGE) dropped 2 entries (p0-1), but RANGE must drop at most 1 entry (p0)");
        // The exact drop the mode calls for is no breach, and leaves no ghost.
        FlushCost.Flush exact = new FlushCost.Flush(1, s.cpus[0].request, before, before.invalidateRange(0, 1));
        assertThat(exact.dropped(2)).isEqualTo(0b01);
        assertThat(s.noting(exact)).isSameAs(s);
    }

    @Test
    void mustDropIsTheScopeOfEachMode() {
        TlbConfig cfg = config("cpus=2,pages=4,tlb=4,global=1,ops=cpu0:munmap(0)");
        Tlb t = warm(cfg);
        assertThat(FlushCost.mustDrop(new TlbShootdown(CpuMask.of(1), 0b1010, ShootdownMode.SINGLE), t, 4)).isEqualTo(0b1010);
        assertThat(FlushCost.mustDrop(new TlbShootdown(CpuMask.of(1), 0b0110, ShootdownMode.RANGE), t, 4)).isEqualTo(0b0110);
        assertThat(FlushCost.mustDrop(new TlbShootdown(CpuMask.of(1), 0b0001, ShootdownMode.GLOBAL), t, 4)).isEqualTo(0b1101);
        assertThat(FlushCost.mustDrop(new TlbShootdown(CpuMask.of(1), 0b0001, ShootdownMode.FULL), t, 4)).isEqualTo(0b1111);
        assertThat(FlushCost.mustDrop(new TlbShootdown(CpuMask.of(1), 0b0001, ShootdownMode.FULL), t.invlpg(3), 4))
                .as("an empty slot is nothing to drop").isEqualTo(0b0111);
        // Only the window's pages count: an entry past it is neither in scope, nor dropped, nor judged.
        assertThat(FlushCost.mustDrop(new TlbShootdown(CpuMask.of(1), 0b0001, ShootdownMode.FULL), t, 3)).isEqualTo(0b0111);
        TlbShootdown p0 = new TlbShootdown(CpuMask.of(1), 0b0001, ShootdownMode.SINGLE);
        FlushCost.Flush all = new FlushCost.Flush(1, p0, t, t.flushAll());
        assertThat(all.dropped(4)).isEqualTo(0b1111);
        assertThat(all.dropped(3)).isEqualTo(0b0111);
        TlbConfig global3 = config("cpus=2,pages=4,tlb=4,global=3,ops=cpu0:munmap(0)");
        FlushCost.Flush drops3 = new FlushCost.Flush(1, p0, warm(global3), warm(global3).flushAll());
        assertThat(FlushCost.globalKept(global3, drops3, 4)).startsWith("TLB-7: cpu1 invalidates p0 (SINGLE) dropped the global entry p3");
        assertThat(FlushCost.globalKept(global3, drops3, 3)).isNull();
        assertThat(FlushCost.dropsWithinMode(drops3, 4))
                .isEqualTo("TLB-9: cpu1 invalidates p0 (SINGLE) dropped 4 entries (p0-3), but SINGLE must drop at most 1 entry (p0)");
    }

    @Test
    void aBreachIsPartOfTheStateKeyWithItsCpu() {
        ShootdownModel m = model(RANGE_ONE + ",symmetry=off");
        TlbState s = walk(m, "hw cpu0 fills p1", "hw cpu1 fills p1", "cpu0 mprotect(p0): write PTEs");
        TlbShootdown r = s.cpus[0].request;
        Tlb t = s.tlb(0);
        TlbState byCpu0 = s.noting(new FlushCost.Flush(0, r, t, t.flushAll()));
        TlbState byCpu1 = s.noting(new FlushCost.Flush(1, r, t, t.flushAll()));
        assertThat(byCpu0.costBreach().cpu()).isZero();
        assertThat(m.key(byCpu0)).isNotEqualTo(m.key(s)).isNotEqualTo(m.key(byCpu1));
        assertThat(TlbInvariants.TLB_9.evaluate(byCpu1).get().message()).contains("cpu1 invalidates p0 (RANGE) dropped 1 entry (p1)");
    }

    @Test
    void TLB_7_catchesFullFlushAboveThreshold() {
        assertThat(explore(ABOVE_THRESHOLD).passed()).as("above the threshold the correct protocol flushes non-global").isTrue();
        String timeline = caught(ABOVE_THRESHOLD + ",bug=full-above-threshold", "TLB-7").counterexample().get().render();
        assertThat(timeline).contains("FULL}", "dropped the global entry p2 -> f2 rw g");
    }

    @Test
    void TLB_8_catchesThresholdOffByOne() {
        ExplorationResult r = caught(AT_THRESHOLD + ",bug=threshold-off-by-one", "TLB-8");
        assertThat(r.counterexample().get().length()).isEqualTo(1);
        assertThat(r.counterexample().get().render()).contains("became GLOBAL instead of RANGE");
    }

    @Test
    void TLB_9_catchesRangeOvershoot() {
        String timeline = caught(RANGE_ONE + ",bug=range-overshoot", "TLB-9").counterexample().get().render();
        assertThat(timeline).contains("cpu0 mprotect(p0): invalidate locally p0 (RANGE)", "TLB{p1=f1 rw}")
                .endsWith("cpu0 invalidates p0 (RANGE) dropped 1 entry (p1), but RANGE must drop at most 0 entries");
    }
}
