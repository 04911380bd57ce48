package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The shootdown's value types at their edges: CPU masks, requests and their page renderings, kernel
 * operations, cost models, configurations, the frame table's 4-bit encoding, and the hardware
 * model's entry, table and TLB encodings, with the text each puts into timelines and messages.
 */
class TlbValueTypesTest {

    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    @Test
    void cpuMasksNameCpusZeroToSevenOnly() {
        assertThat(CpuMask.ofBits(0xff).size()).isEqualTo(8);
        assertThatThrownBy(() -> CpuMask.ofBits(0x100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CPU mask names a CPU past 7: 100000000");
        assertThat(CpuMask.firstN(3)).isEqualTo(CpuMask.of(0, 1, 2)).hasToString("{cpu0,cpu1,cpu2}");
        assertThat(CpuMask.firstN(0)).isEqualTo(CpuMask.NONE).hasToString("{}");
        assertThat(CpuMask.of(7).bits()).isEqualTo(0x80);
        CpuMask m = CpuMask.of(1, 3);
        assertThat(m.contains(1)).isTrue();
        assertThat(m.contains(2)).isFalse();
        assertThat(m.contains(3)).isTrue();
        assertThat(m.with(2)).isEqualTo(CpuMask.of(1, 2, 3));
        assertThat(m.without(1)).isEqualTo(CpuMask.of(3));
        assertThat(m.without(0)).isEqualTo(m);
        assertThat(m.containsAll(CpuMask.of(3))).isTrue();
        assertThat(m.containsAll(CpuMask.of(2, 3))).isFalse();
        assertThat(m.containsAll(CpuMask.NONE)).isTrue();
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.isEmpty()).isFalse();
        assertThat(CpuMask.NONE.isEmpty()).isTrue();
        assertThat(m.hashCode()).isEqualTo(0b1010);
        assertThat(m).isNotEqualTo(CpuMask.of(1)).isNotEqualTo("{cpu1,cpu3}");
        assertThatThrownBy(() -> m.with(8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requestsRenderTheirPagesAsRunsOrLists() {
        assertThat(TlbShootdown.renderPages(0)).isEqualTo("{}");
        assertThat(TlbShootdown.renderPages(0b1)).isEqualTo("p0");
        assertThat(TlbShootdown.renderPages(0b1000)).isEqualTo("p3");
        assertThat(TlbShootdown.renderPages(0b0110)).isEqualTo("p1-2");
        assertThat(TlbShootdown.renderPages(0b1101)).isEqualTo("p0,p2,p3");
        TlbShootdown r = new TlbShootdown(CpuMask.of(1, 2), 0b0110, ShootdownMode.RANGE);
        assertThat(r).hasToString("TlbShootdown{{cpu1,cpu2}, pages p1-2, RANGE}");
        assertThat(r.firstPage()).isEqualTo(1);
        assertThat(r.lastPage()).isEqualTo(2);
        assertThat(r.pageCount()).isEqualTo(2);
        assertThat(r.covers(0)).isFalse();
        assertThat(r.covers(1)).isTrue();
        assertThat(r.covers(2)).isTrue();
        assertThat(r.covers(3)).isFalse();
        assertThat(r.contiguous()).isTrue();
        assertThat(new TlbShootdown(CpuMask.of(1), 0b101, ShootdownMode.SINGLE).contiguous()).isFalse();
        assertThat(new TlbShootdown(CpuMask.of(1), 0, ShootdownMode.SINGLE).contiguous()).isFalse();
        assertThat(new TlbShootdown(CpuMask.of(1), 0b1, ShootdownMode.SINGLE).contiguous()).isTrue();
        assertThat(r).isEqualTo(new TlbShootdown(CpuMask.of(1, 2), 0b0110, ShootdownMode.RANGE))
                .hasSameHashCodeAs(new TlbShootdown(CpuMask.of(1, 2), 0b0110, ShootdownMode.RANGE));
        assertThat(r).isNotEqualTo(new TlbShootdown(CpuMask.of(1), 0b0110, ShootdownMode.RANGE))
                .isNotEqualTo(new TlbShootdown(CpuMask.of(1, 2), 0b0010, ShootdownMode.RANGE))
                .isNotEqualTo(new TlbShootdown(CpuMask.of(1, 2), 0b0110, ShootdownMode.FULL));
        assertThat(r.hashCode()).isEqualTo((0b110 * 31 + 0b0110) * 31 + ShootdownMode.RANGE.ordinal());
    }

    @Test
    void kernelOperationsParseTheirSyntaxAndRejectEverythingElse() {
        assertThat(KernelOp.parse(" munmap(0-2) ")).isEqualTo(new KernelOp(KernelOp.Kind.MUNMAP, 0b111)).hasToString("munmap(p0-2)");
        assertThat(KernelOp.parse("mprotect(1)").pages()).isEqualTo(0b10);
        assertThat(KernelOp.parse("cow(2)").kind()).isEqualTo(KernelOp.Kind.COW_BREAK);
        assertThat(KernelOp.parse("reclaim")).hasToString("reclaim").isEqualTo(new KernelOp(KernelOp.Kind.RECLAIM, 0));
        assertThat(KernelOp.parse("munmap(1)").frees()).isTrue();
        assertThat(KernelOp.parse("cow(1)").frees()).isTrue();
        assertThat(KernelOp.parse("reclaim").frees()).isTrue();
        assertThat(KernelOp.parse("mprotect(1)").frees()).isFalse();
        assertThatThrownBy(() -> KernelOp.parse("munmap")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("munmap needs at least one page");
        assertThatThrownBy(() -> KernelOp.parse("cow(0-1)")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cow breaks exactly one page");
        assertThatThrownBy(() -> KernelOp.parse("mmap(0)")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an operation: 'mmap(0)' (try munmap(0-1), mprotect(1), cow(0), reclaim)");
        assertThat(KernelOp.Kind.COW_BREAK.word()).isEqualTo("cow");
        assertThat(new KernelOp(KernelOp.Kind.MUNMAP, 3)).isNotEqualTo(new KernelOp(KernelOp.Kind.MPROTECT, 3))
                .isNotEqualTo(new KernelOp(KernelOp.Kind.MUNMAP, 1));
        assertThat(new KernelOp(KernelOp.Kind.MPROTECT, 3).hashCode()).isEqualTo(257 + 3);
    }

    @Test
    void costModelsChargeABasePlusEachTargetAndNothingForNoTarget() {
        assertThat(CostModel.parse("seed")).isSameAs(CostModel.SEED);
        assertThat(CostModel.parse("base+target")).isSameAs(CostModel.BASE_PLUS_TARGET);
        CostModel c = CostModel.parse(" 100 + 7 ");
        assertThat(c).hasToString("100ns + 7ns/target");
        assertThat(c.nanos(new TlbShootdown(CpuMask.of(1, 2, 3), 1, ShootdownMode.SINGLE))).isEqualTo(121);
        assertThat(c.nanos(new TlbShootdown(CpuMask.NONE, 1, ShootdownMode.SINGLE))).isZero();
        assertThat(CostModel.SEED.render(new TlbShootdown(CpuMask.of(1, 2), 1, ShootdownMode.SINGLE))).isEqualTo("8.4 µs");
        assertThat(new CostModel(0, 0).nanos(new TlbShootdown(CpuMask.of(1), 1, ShootdownMode.SINGLE))).isZero();
        assertThatThrownBy(() -> new CostModel(-1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("costs are non-negative");
        assertThatThrownBy(() -> new CostModel(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CostModel.parse("1+2+3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cost model is seed, base+target, or <baseNs>+<perTargetNs>: 1+2+3");
    }

    @Test
    void seededBugsParseByWordOrName() {
        assertThat(SeededBug.parse("missing-cpu")).isEqualTo(SeededBug.MISSING_CPU);
        assertThat(SeededBug.parse("Missing_Cpu")).isEqualTo(SeededBug.MISSING_CPU);
        assertThatThrownBy(() -> SeededBug.parse("nope")).isInstanceOf(IllegalArgumentException.class).hasMessage("unknown bug 'nope'");
        for (SeededBug b : SeededBug.values()) {
            assertThat(b.breaksSymmetry()).as(b.word()).isEqualTo(b == SeededBug.MISSING_CPU);
        }
    }

    @Test
    void configurationsRejectEachOutOfRangeBoundWithItsReason() {
        assertThat(config("cpus=6,pages=2").cpus()).isEqualTo(6);
        assertThat(config("cpus=1,pages=2,ops=").cpus()).isEqualTo(1);
        assertThatThrownBy(() -> config("cpus=7")).hasMessage("cpus must be 1..6, not 7");
        assertThatThrownBy(() -> config("cpus=0,ops=")).hasMessage("cpus must be 1..6, not 0");
        assertThat(config("pages=6,tlb=2").pages()).isEqualTo(6);
        assertThatThrownBy(() -> config("pages=7")).hasMessage("pages must be 1..6, not 7");
        assertThatThrownBy(() -> config("pages=0")).hasMessage("pages must be 1..6, not 0");
        assertThat(config("threshold=1").threshold()).isEqualTo(1);
        assertThatThrownBy(() -> config("threshold=0")).hasMessage("threshold must be positive");
        assertThat(config("ops=cpu0:munmap(0);cpu0:munmap(1);cpu0:mprotect(0)").script(0)).hasSize(3);
        assertThatThrownBy(() -> config("ops=cpu0:munmap(0);cpu0:munmap(1);cpu0:mprotect(0);cpu0:mprotect(1)"))
                .hasMessage("at most 3 operations per CPU");
        assertThatThrownBy(() -> config("pages=2,ops=cpu0:munmap(2)")).hasMessage("munmap(p2) names a page past 1");
        assertThat(config("pages=2,ops=cpu0:munmap(1)").script(0)).hasSize(1);
        assertThat(config("mode=lazy,ops=cpu0:munmap(0);cpu1:munmap(1);cpu2:munmap(0)").lazy()).isTrue();
        assertThatThrownBy(() -> config("mode=lazy,cpus=4,ops=cpu0:munmap(0);cpu1:munmap(1);cpu2:munmap(0);cpu3:cow(1)"))
                .hasMessage("at most 3 lazy operations (generation counter width)");
        assertThat(config("mode=lazy,cpus=4,ops=cpu0:munmap(0);cpu1:munmap(1);cpu2:munmap(0);cpu3:mprotect(1)").cpus())
                .as("mprotect is never lazy").isEqualTo(4);
        assertThat(config("pages=6,tlb=2,ops=cpu0:cow(0)").frames()).isEqualTo(8);
        assertThatThrownBy(() -> config("pages=6,tlb=2,ops=cpu0:cow(0);cpu1:cow(1)"))
                .hasMessage("pages + cow operations + 1 table frame must be <= 8");
        assertThatThrownBy(() -> new TlbConfig(2, 2, 2, ShootdownMode.SINGLE, false, 33, 0, new KernelOp[1][0], SeededBug.NONE, true,
                CostModel.SEED)).hasMessage("one script per CPU");
    }

    @Test
    void scriptsAndGlobalPagesParseFromTheManifestSyntax() {
        KernelOp[][] s = TlbConfig.parseScripts(" cpu1:munmap(0) ;; cpu0:cow(1);cpu1:reclaim", 2);
        assertThat(s[0]).containsExactly(KernelOp.parse("cow(1)"));
        assertThat(s[1]).containsExactly(KernelOp.parse("munmap(0)"), KernelOp.parse("reclaim"));
        assertThatThrownBy(() -> TlbConfig.parseScripts("munmap(0)", 2)).hasMessage("an operation is cpuN:op, not 'munmap(0)'");
        assertThatThrownBy(() -> TlbConfig.parseScripts("core0:munmap(0)", 2)).hasMessage("an operation is cpuN:op, not 'core0:munmap(0)'");
        assertThatThrownBy(() -> TlbConfig.parseScripts("cpu2:munmap(0)", 2)).hasMessage("'cpu2:munmap(0)' names a CPU outside 0..1");
        assertThat(TlbConfig.parseScripts("cpu1:munmap(0)", 2)[1]).hasSize(1);
        assertThat(TlbConfig.parsePages("")).isZero();
        assertThat(TlbConfig.parsePages("1")).isEqualTo(0b10);
        assertThat(TlbConfig.parsePages("0-2;4 5/3")).isEqualTo(0b111111);
        assertThat(TlbConfig.parsePages("2-3")).isEqualTo(0b1100);
    }

    @Test
    void configurationsDeriveFramesTablesScriptsAndTheirCanonicalText() {
        TlbConfig c = config("cpus=3,pages=3,tlb=2,mode=range,threshold=2,global=2,ops=cpu0:cow(1);cpu1:munmap(0);cpu2:cow(1),"
                + "bug=range-overshoot,symmetry=on,cost=base+target");
        assertThat(c.cowOps()).isEqualTo(2);
        assertThat(c.frames()).isEqualTo(6);
        assertThat(c.tableFrame()).isEqualTo(5);
        assertThat(c.allPages()).isEqualTo(0b111);
        assertThat(c.tlbCapacity()).isEqualTo(2);
        assertThat(c.mode()).isEqualTo(ShootdownMode.RANGE);
        assertThat(c.globalPages()).isEqualTo(0b100);
        assertThat(c.cost()).isSameAs(CostModel.BASE_PLUS_TARGET);
        assertThat(c.scriptId(0)).isZero();
        assertThat(c.scriptId(1)).isEqualTo(1);
        assertThat(c.scriptId(2)).as("the same script as cpu0").isZero();
        assertThat(c.initialPageTable()).hasToString("PT[p0=f0 rw, p1=f1 r, p2=f2 rw g; table f5]");
        assertThat(c.initialFrames()).hasToString("frames{f0 used, f1 used, f2 used, f3 FREE, f4 FREE, f5 used}");
        assertThat(c).hasToString("cpus=3,pages=3,tlb=2,mode=range,threshold=2,global=p2,ops=cpu0:cow(p1);cpu1:munmap(p0);cpu2:cow(p1),"
                + "bug=range-overshoot,symmetry=on");
        assertThat(c.symmetry()).isTrue();
        assertThat(c.withSymmetry(false).symmetry()).isFalse();
        assertThat(c.withBug(SeededBug.MISSING_CPU).symmetry()).as("a bug naming CPUs breaks symmetry").isFalse();
        assertThat(c.withBug(SeededBug.NONE).bug()).isEqualTo(SeededBug.NONE);
        assertThat(c.withLazy(true)).hasToString(c.toString().replace("mode=range", "mode=lazy"));
        assertThat(c.withLazy(true).lazy()).isTrue();
        TlbConfig d = config("cpus=2,pages=2,ops=cpu0:munmap(0),symmetry=off");
        assertThat(d.symmetry()).isFalse();
        assertThat(d).hasToString("cpus=2,pages=2,tlb=2,mode=single,threshold=33,global=-,ops=cpu0:munmap(p0),bug=none,symmetry=off");
        assertThat(d.cost()).isSameAs(CostModel.SEED);
        assertThat(d.script(1)).isEmpty();
    }

    @Test
    void theFrameTablePacksAStateAndAGenerationIntoFourBitsPerFrame() {
        FrameTable t = FrameTable.of(3, 0b110);
        assertThat(t).hasToString("frames{f0 used, f1 FREE, f2 FREE}");
        assertThat(t.encoded()).isEqualTo(FrameTable.FREE << 4 | FrameTable.FREE << 8);
        assertThat(t.lowestFree()).isEqualTo(1);
        assertThat(FrameTable.of(8, 0).frames()).isEqualTo(8);
        assertThat(FrameTable.of(1, 0b1).free(0)).isTrue();
        assertThatThrownBy(() -> FrameTable.of(9, 0)).hasMessage("frames must be 1..8");
        assertThatThrownBy(() -> FrameTable.of(0, 0)).hasMessage("frames must be 1..8");
        assertThat(FrameTable.of(2, 0b100).encoded()).as("bits past the table are ignored").isZero();
        FrameTable d = t.allocate(1).defer(0b011, 3);
        assertThat(d).hasToString("frames{f0 deferred@3, f1 deferred@3, f2 FREE}");
        assertThat(d.deferred(0)).isTrue();
        assertThat(d.free(0)).isFalse();
        assertThat(d.tag(1)).isEqualTo(3);
        assertThat(d.state(1)).isEqualTo(FrameTable.DEFERRED);
        assertThat(d.encoded()).isEqualTo(0b1110 | 0b1110 << 4 | FrameTable.FREE << 8);
        assertThat(d.release(0b001)).hasToString("frames{f0 FREE, f1 deferred@3, f2 FREE}");
        assertThat(d.release(0b001).tag(0)).isZero();
        assertThatThrownBy(() -> t.defer(1, 4)).hasMessage("generation 4 exceeds the model's 3");
        assertThatThrownBy(() -> t.allocate(0)).hasMessage("frame 0 is not free");
        assertThat(FrameTable.of(2, 0).lowestFree()).isEqualTo(-1);
        assertThat(t).isEqualTo(FrameTable.of(3, 0b110)).isNotEqualTo(FrameTable.of(4, 0b110))
                .isNotEqualTo(FrameTable.of(3, 0b010)).hasSameHashCodeAs(FrameTable.of(3, 0b110));
        assertThat(t.hashCode()).isEqualTo(t.encoded() * 31 + 3);
    }

    @Test
    void entriesPackPresentWritableGlobalAndAThreeBitFrame() {
        int e = Pte.of(7, true, true);
        assertThat(e).isEqualTo(0b111111);
        assertThat(Pte.of(5, false, false)).isEqualTo(5 << 3 | 1);
        assertThat(Pte.of(0, true, false)).isEqualTo(0b011);
        assertThat(Pte.frame(e)).isEqualTo(7);
        assertThat(Pte.readOnly(e)).isEqualTo(0b111101);
        assertThat(Pte.render(Pte.of(3, true, true))).isEqualTo("f3 rw g");
        assertThat(Pte.render(Pte.of(1, false, false))).isEqualTo("f1 r");
        assertThat(Pte.render(Pte.NONE)).isEqualTo("-");
        assertThat(Pte.present(Pte.NONE)).isFalse();
        assertThat(Pte.writable(Pte.of(1, false, true))).isFalse();
        assertThat(Pte.global(Pte.of(1, false, true))).isTrue();
        assertThat(Pte.global(Pte.of(1, true, false))).isFalse();
        assertThatThrownBy(() -> Pte.of(8, true, false)).hasMessage("frame 8 outside 0..7");
        assertThatThrownBy(() -> Pte.of(-1, true, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pageTablesHoldUpToEightPagesAndReclaimOnlyWhenEmpty() {
        assertThat(PageTable.empty(8, 0).pages()).isEqualTo(8);
        assertThatThrownBy(() -> PageTable.empty(9, 0)).hasMessage("pages must be 1..8, not 9");
        assertThatThrownBy(() -> PageTable.empty(0, 0)).hasMessage("pages must be 1..8, not 0");
        PageTable pt = PageTable.empty(8, 3).with(7, Pte.of(7, true, true)).with(0, Pte.of(1, false, false));
        assertThat(pt.pte(7)).isEqualTo(Pte.of(7, true, true));
        assertThat(pt.pte(0)).isEqualTo(Pte.of(1, false, false));
        assertThat(pt.pte(6)).isEqualTo(Pte.NONE);
        assertThat(pt.encoded()).isEqualTo((long) Pte.of(7, true, true) << 42 | Pte.of(1, false, false) | 1L << 63);
        assertThatThrownBy(() -> pt.pte(8)).hasMessage("page 8 outside 0..7");
        assertThatThrownBy(() -> pt.pte(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(pt::unlinkTable).hasMessageStartingWith("cannot reclaim a table that still maps pages: PT[p0=f1 r, p1=-");
        PageTable gone = pt.with(7, Pte.NONE).with(0, Pte.NONE).unlinkTable();
        assertThat(gone.tablePresent()).isFalse();
        assertThat(gone.encoded()).isZero();
        assertThat(gone.tableFrame()).isEqualTo(3);
        assertThat(gone.with(1, Pte.NONE)).isEqualTo(gone);
        assertThatThrownBy(() -> gone.with(1, Pte.of(1, false, false))).hasMessage("cannot map page 1 into a reclaimed table");
        assertThat(PageTable.empty(1, 2).unlinkTable()).hasToString("PT[p0=-; table reclaimed]");
        assertThat(gone).isNotEqualTo(PageTable.empty(8, 3)).isNotEqualTo(PageTable.empty(7, 3));
        assertThat(PageTable.empty(8, 3)).isEqualTo(PageTable.empty(8, 3)).isNotEqualTo(PageTable.empty(8, 2))
                .hasSameHashCodeAs(PageTable.empty(8, 3));
    }

    @Test
    void aTlbCachesAtMostItsCapacityAndEachInvalidationDropsExactlyItsScope() {
        assertThatThrownBy(() -> Tlb.empty(0)).hasMessage("TLB capacity must be positive, not 0");
        PageTable pt = PageTable.empty(8, 7);
        for (int p = 0; p < 7; p++) {
            pt = pt.with(p, Pte.of(p, true, p >= 5));
        }
        Tlb t = Tlb.empty(7);
        for (int p = 0; p < 7; p++) {
            assertThat(Mmu.canFill(t, pt, p)).isTrue();
            t = Mmu.fill(t, pt, p);
        }
        assertThat(t.size()).isEqualTo(7);
        assertThat(t.full()).isTrue();
        assertThat(Mmu.canFill(Tlb.empty(1), pt, 7)).as("no PTE").isFalse();
        assertThat(Mmu.canFill(Mmu.fill(Tlb.empty(2), pt, 0), pt, 0)).as("already cached").isFalse();
        assertThat(Mmu.canFill(Mmu.fill(Tlb.empty(1), pt, 0), pt, 1)).as("full").isFalse();
        assertThat(Mmu.fill(Tlb.empty(2), pt, 0).full()).isFalse();
        Tlb cached = Mmu.cacheTable(t);
        assertThat(cached.render(8)).isEqualTo("{p0=f0 rw, p1=f1 rw, p2=f2 rw, p3=f3 rw, p4=f4 rw, p5=f5 rw g, p6=f6 rw g; pwc}");
        assertThat(cached.invlpg(6).render(8)).isEqualTo("{p0=f0 rw, p1=f1 rw, p2=f2 rw, p3=f3 rw, p4=f4 rw, p5=f5 rw g}");
        assertThat(cached.invalidateRange(1, 3).render(8)).isEqualTo("{p0=f0 rw, p4=f4 rw, p5=f5 rw g, p6=f6 rw g}");
        assertThat(cached.flushNonGlobal().render(8)).isEqualTo("{p5=f5 rw g, p6=f6 rw g}");
        assertThat(cached.flushAll().render(8)).isEqualTo("{}");
        assertThat(cached.flushAll().capacity()).isEqualTo(7);
        assertThat(Tlb.empty(1)).hasToString("Tlb{}");
        assertThat(Mmu.cacheTable(Tlb.empty(1))).hasToString("Tlb{pwc}");
        assertThat(cached.encoded()).isNegative();
        assertThat(t.encoded()).isPositive();
        assertThat(cached.refersTo(7, 7, 8)).as("the cached table frame").isTrue();
        assertThat(t.refersTo(7, 7, 8)).isFalse();
        assertThat(t.refersTo(6, 7, 8)).isTrue();
        assertThat(t.refersTo(6, 7, 6)).as("only the first pages are looked at").isFalse();
        assertThat(Mmu.evict(t, 0).holds(0)).isFalse();
        assertThat(Mmu.evictTable(cached).pwc()).isFalse();
        assertThat(Mmu.canCacheTable(t, pt)).isTrue();
        assertThat(Mmu.canCacheTable(cached, pt)).isFalse();
        assertThat(t).isEqualTo(Mmu.evictTable(cached)).hasSameHashCodeAs(Mmu.evictTable(cached)).isNotEqualTo(cached);
        assertThatThrownBy(() -> Mmu.fill(Tlb.empty(1), PageTable.empty(1, 0), 0))
                .hasMessage("no fill of page 0 possible: Tlb{} PT[p0=-; table f0]");
    }

    @Test
    void anAccessHitsTheTlbOrWalksAndFillsWhenThereIsRoom() {
        PageTable pt = PageTable.empty(2, 2).with(0, Pte.of(0, false, false)).with(1, Pte.of(1, true, false));
        Mmu.Access walk = Mmu.access(Tlb.empty(1), pt, 0);
        assertThat(walk.hit()).isFalse();
        assertThat(walk.translation()).isEqualTo(Pte.of(0, false, false));
        assertThat(walk.after().holds(0)).isTrue();
        assertThat(walk.allowed(false)).isTrue();
        assertThat(walk.allowed(true)).isFalse();
        Mmu.Access hit = Mmu.access(walk.after(), pt.with(0, Pte.of(1, true, false)), 0);
        assertThat(hit.hit()).isTrue();
        assertThat(hit.translation()).as("the stale cached entry").isEqualTo(Pte.of(0, false, false));
        Mmu.Access noRoom = Mmu.access(walk.after(), pt, 1);
        assertThat(noRoom.hit()).isFalse();
        assertThat(noRoom.allowed(true)).isTrue();
        assertThat(noRoom.after()).isSameAs(walk.after());
        Mmu.Access fault = Mmu.access(Tlb.empty(1), pt.with(1, Pte.NONE), 1);
        assertThat(fault.allowed(false)).isFalse();
        assertThat(fault.after().size()).isZero();
    }

    @Test
    void errorsAndReceiptsSayWhatHappened() {
        TlbError e = TlbError.of(TlbError.Kind.BAD_PAGE, "page %d", 9);
        assertThat(e.errorKind()).isEqualTo(TlbError.Kind.BAD_PAGE);
        assertThat(e).hasMessage("page 9");
        assertThat(new ShootdownService.Receipt(new TlbShootdown(CpuMask.of(1), 1, ShootdownMode.SINGLE), 4200))
                .hasToString("TlbShootdown{{cpu1}, pages p0, SINGLE} acknowledged, modelled cost 4200 ns");
    }

    @Test
    void edgesOfTheEncodingsThatTimelinesAndKeysRelyOn() {
        assertThat(config("pages=1,ops=cpu0:munmap(0)").pages()).isEqualTo(1);
        assertThat(config("cpus=2,pages=2,ops=cpu0:munmap(0)").lazy()).isFalse();
        TlbConfig scripts = config("cpus=3,pages=2,ops=cpu0:munmap(0);cpu1:mprotect(1);cpu2:mprotect(1)");
        assertThat(scripts.scriptId(2)).as("the same script as cpu1").isEqualTo(1);
        // Frame-table masks name frames 0..frames-1 only; a bit past them changes nothing.
        assertThat(FrameTable.of(2, 0).release(0b100)).isEqualTo(FrameTable.of(2, 0));
        assertThat(FrameTable.of(2, 0).defer(0b100, 1)).isEqualTo(FrameTable.of(2, 0));
        assertThat(FrameTable.of(3, 0).release(0b010)).hasToString("frames{f0 used, f1 FREE, f2 used}");
        assertThat(FrameTable.of(3, 0).defer(0b010, 2)).hasToString("frames{f0 used, f1 deferred@2, f2 used}");
        assertThat(FrameTable.of(3, 0b001).deferred(0)).isFalse();
        assertThat(FrameTable.of(3, 0b001).deferred(1)).isFalse();
        // A TLB counts only present entries, wherever the holes are.
        PageTable pt = PageTable.empty(8, 7);
        Tlb t = Tlb.empty(8);
        for (int p = 0; p < 7; p++) {
            pt = pt.with(p, Pte.of(p, false, false));
            t = Mmu.fill(t, pt, p);
        }
        assertThat(t.invalidateRange(1, 3).size()).isEqualTo(4);
        assertThat(t.invlpg(0).size()).isEqualTo(6);
        assertThat(t.render(2)).as("only the pages asked for").isEqualTo("{p0=f0 r, p1=f1 r}");
        assertThat(t.hashCode()).isEqualTo(Long.hashCode(t.encoded()) * 31 + 8 * 2);
        assertThat(Mmu.cacheTable(t).hashCode()).isEqualTo(Long.hashCode(t.encoded()) * 31 + 8 * 2 + 1);
        assertThat(PageTable.empty(8, 3).hashCode()).isEqualTo(java.util.Objects.hash(8, 0L, true, 3));
        assertThatThrownBy(() -> PageTable.empty(2, 3).with(2, Pte.NONE)).hasMessage("page 2 outside 0..1");
        ShootdownService.Receipt r = new ShootdownService.Receipt(new TlbShootdown(CpuMask.of(1), 0b10, ShootdownMode.RANGE), 77);
        assertThat(r.modelledNanos()).isEqualTo(77);
        assertThat(r.request().pages()).isEqualTo(0b10);
        assertThat(r.request().mode()).isEqualTo(ShootdownMode.RANGE);
    }
}
