package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmspec.tlb.asid.AsidTestSupport.model;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;

/**
 * The ASID model's transitions in one state, label by label: every switch to another space, the
 * kernel thread, a munmap and an mprotect of each page of the running space, and a fill of each
 * page the CPU can walk; a rejected call is no transition. Also the hardware fill on its own (its
 * label, and the lookups and unmapped pages that make it impossible), the catalogue entry that
 * builds configured models, and the packing range of an entry.
 */
class AsidModelSuccessorsTest {
    private static final String X86 = "arch=x86,cpus=1,spaces=2,asids=1,pages=2,huge=0,ops=1";

    private static List<String> labels(AsidModel m, AsidState s) {
        List<String> out = new ArrayList<>();
        m.successors(s, (l, n) -> out.add(l.get()));
        return out;
    }

    @Test
    void aCpuInUserModeMaySwitchAwayRunAKernelThreadChangeEachPageOrFillIt() {
        AsidModel m = model(X86);
        assertThat(labels(m, m.initial())).containsExactly("cpu0 switch to mmA: recycles pcid slot 0, flush slot (0 entries)",
                "cpu0 switch to mmB: recycles pcid slot 0, flush slot (0 entries)");
        AsidState s = m.initial();
        AsidKernel.switchTo(s, 0, 0);
        List<String> l = labels(m, s);
        assertThat(l).hasSize(8);
        assertThat(l.get(0)).startsWith("cpu0 switch to mmB");
        assertThat(l.subList(1, 8)).containsExactly("cpu0 runs a kernel thread, lazy on mmA",
                "cpu0 munmap(p0) of mmA; tlb_gen 1, flush on {cpu0}", "cpu0 mprotect(p0) of mmA; tlb_gen 1, flush on {cpu0}",
                "cpu0 munmap(p1) of mmA; tlb_gen 1, flush on {cpu0}", "cpu0 mprotect(p1) of mmA; tlb_gen 1, flush on {cpu0}",
                "hw cpu0 fills t0:p0 f0 rw (mmA)", "hw cpu0 fills t0:p1 f1 rw (mmA)");
    }

    @Test
    void aFillCachesTheWalkedTranslationUnderTheCpusTagUnlessTheLookupHitsOrThePageIsUnmapped() {
        AsidModel m = model(X86);
        AsidState s = m.initial();
        assertThat(AsidModel.fill(s, 0, 0)).as("an idle CPU walks nothing").isNull();
        AsidKernel.switchTo(s, 0, 1);
        assertThat(AsidModel.fill(s, 0, 1)).isEqualTo("hw cpu0 fills t0:p1 f3 rw (mmB)");
        assertThat(s.tlb(0)).containsExactly(new TaggedEntry(0, 1, 3, true, 1));
        assertThat(AsidModel.fill(s, 0, 1)).as("the lookup hits").isNull();
        s.pte[2] = 0;
        assertThat(AsidModel.fill(s, 0, 0)).as("p0 of mmB unmapped").isNull();
        assertThat(s.tlb(0)).hasSize(1);
    }

    @Test
    void theCatalogueEntryBuildsTheConfiguredModel() {
        ExhaustiveModel entry = new AsidModel();
        assertThat(entry.name()).isEqualTo("tlb-asid").isEqualTo(AsidModel.NAME);
        assertThat(entry.component()).isEqualTo("tlb");
        AsidModel built = (AsidModel) entry.build(Bounds.parse(X86));
        assertThat(built.config()).isEqualTo(AsidConfig.fromBounds(Bounds.parse(X86)));
        assertThat(built.initialStates()).containsExactly(built.initial());
    }

    @Test
    void anEntryPacksOnlyItsRanges() {
        TaggedEntry low = new TaggedEntry(0, 0, 0, false, 0);
        TaggedEntry high = new TaggedEntry(7, TaggedEntry.HUGE, 7, true, 3);
        assertThat(TaggedEntry.unpack(low.pack())).isEqualTo(low);
        assertThat(TaggedEntry.unpack(high.pack())).isEqualTo(high);
        int[][] bad = {{-1, 0, 0, 0}, {8, 0, 0, 0}, {0, -1, 0, 0}, {0, 4, 0, 0}, {0, 0, -1, 0}, {0, 0, 8, 0}, {0, 0, 0, -1},
            {0, 0, 0, 4}};
        for (int[] b : bad) {
            assertThatThrownBy(() -> new TaggedEntry(b[0], b[1], b[2], false, b[3])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("entry out of packing range: tag " + b[0] + " page " + b[1] + " frame " + b[2] + " owner " + b[3]);
        }
    }
}
