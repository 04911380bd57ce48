package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.Invariant;
import org.mmspec.check.Violation;

/**
 * ASID-2 and ASID-3 each broken by one corrupted field, with address space mmA (number 0) in the
 * role where a {@code >= 0} test must admit it, and each report's wording checked (PIT found these
 * boundaries unchecked by the seeded-bug runs, which break the invariants through other spaces).
 */
class AsidInvariantsBoundaryTest {

    private static AsidState state(String bounds) {
        return AsidState.initial(AsidConfig.fromBounds(Bounds.parse(bounds)));
    }

    private static Optional<String> detail(Invariant<AsidState> inv, AsidState s) {
        return inv.evaluate(s).map(Violation::detail);
    }

    @Test
    void ASID_2_twoSpacesUnderOneAsidOrTwoCpusUnderOneTag() {
        AsidState s = state("arch=aarch64,cpus=2,spaces=2,asids=3,pages=1,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 1, 1);
        assertThat(detail(AsidInvariants.ASID_2, s)).isEmpty();
        AsidState same = s.copy();
        same.setContext(1, s.context(0));
        assertThat(detail(AsidInvariants.ASID_2, same)).contains("mmA and mmB both hold asid 1 in generation 1");
        AsidState tag = s.copy();
        tag.setTag(1, s.tag(0));
        assertThat(detail(AsidInvariants.ASID_2, tag)).contains("cpu0 runs mmA and cpu1 runs mmB, both under asid 1");
        AsidState swapped = state("arch=aarch64,cpus=2,spaces=2,asids=3,pages=1,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(swapped, 0, 1);
        AsidKernel.switchTo(swapped, 1, 0);
        swapped.setTag(1, swapped.tag(0));
        assertThat(detail(AsidInvariants.ASID_2, swapped)).contains("cpu0 runs mmB and cpu1 runs mmA, both under asid 1");
    }

    @Test
    void ASID_2_onX86_aSpaceInTwoSlotsOrARunningCpuOnAForeignSlot() {
        AsidState s = state("arch=x86,cpus=2,spaces=2,asids=2,pages=1,huge=0,ops=1");
        AsidKernel.switchTo(s, 0, 0);
        assertThat(detail(AsidInvariants.ASID_2, s)).isEmpty();
        AsidState twice = s.copy();
        twice.setSlot(0, 1, 0, 0);
        assertThat(detail(AsidInvariants.ASID_2, twice)).contains("cpu0's pcid slots 0 and 1 both hold mmA");
        AsidState foreign = s.copy();
        foreign.setTag(0, 1);
        assertThat(detail(AsidInvariants.ASID_2, foreign)).contains("cpu0 runs mmA on pcid slot 1, which holds -");
    }

    @Test
    void ASID_3_anEntryWhoseAsidNowBelongsToMmAOrWhoseCpuRunsMmAUnderItsTag() {
        AsidState s = state("arch=aarch64,cpus=2,spaces=2,asids=3,pages=1,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 1, 1);
        AsidModel.fill(s, 1, 0);
        assertThat(detail(AsidInvariants.ASID_3, s)).isEmpty();
        TaggedEntry e = s.tlb(1).get(0);
        AsidState taken = s.copy();
        taken.setContext(0, s.context(1)); // mmA now holds mmB's asid in the current generation
        assertThat(detail(AsidInvariants.ASID_3, taken))
                .contains("cpu1 caches " + e + ", but asid 2 now belongs to mmA and no flush is pending on cpu1");
        AsidState shared = s.copy();
        shared.setContext(0, 0);
        shared.insert(0, new TaggedEntry(s.tag(0), 0, e.frame(), true, 1));
        assertThat(detail(AsidInvariants.ASID_3, shared)).contains("cpu0 caches " + new TaggedEntry(s.tag(0), 0, e.frame(), true, 1)
                + " while it runs mmA under the same asid and no flush is pending");
    }
}
