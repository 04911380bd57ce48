package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PagingFormats;
import org.mmspec.paging.PteFormat;

/**
 * AS-6, the hardware view of an address space, on every architecture with 4 KiB pages: a
 * corruption of the real bits, and the seeded encoder bug the issue names (the user bit set on a
 * PROT_NONE page), caught by AS-6 alone in a unit state, in every stateful run and in the
 * exhaustive model.
 */
class HardwareViewTest {

    private static VmSystem system(String format, VmSystem.Bug bug) {
        return new VmSystem(Layout.small(16), AddressSpace.WxPolicy.ENFORCE, 16, bug, PagingFormats.byName(format));
    }

    private static List<String> broken(VmSystem sys) {
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    /** mmap page 5 with {@code prot}, fault it in with a write when allowed (else a read). */
    private static void present(AddressSpace as, Prot prot) {
        as.mmap(UserAddr.ofPage(5), Vma.PAGE_SIZE, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(5), prot.write() ? Access.WRITE : Access.READ);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "sv39", "sv48"})
    void AS_6_holdsForEveryProtectionOnAHealthySystem(String format) {
        VmSystem sys = system(format, VmSystem.Bug.NONE);
        AddressSpace as = sys.space(0);
        present(as, Prot.RW);
        for (Prot p : List.of(Prot.NONE, Prot.R, Prot.RX, Prot.RW)) {
            as.mprotect(UserAddr.ofPage(5), Vma.PAGE_SIZE, p);
            assertThat(broken(sys)).as(format + " " + p).isEmpty();
            Prot granted = VmInvariants.hardwareGrants(as, 5);
            // Exactly the area's rights (write and exec imply read on every format), nothing more.
            assertThat(granted).as(format + " " + p).isEqualTo(p == Prot.NONE ? Prot.NONE : new Prot(true, p.write(), p.exec()));
        }
        assertThat(VmInvariants.hardwareGrants(as, 7)).isEqualTo(Prot.NONE);
    }

    /** The defect: the encoder sets the user bit on a PROT_NONE page; record and XLAYER-3 stay happy. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "sv39", "sv48"})
    void AS_6_catchesUserBitOnAProtNonePage(String format) {
        VmSystem sys = system(format, VmSystem.Bug.PROT_NONE_USER_BIT);
        AddressSpace as = sys.space(0);
        present(as, Prot.RW);
        assertThat(broken(sys)).isEmpty();
        as.mprotect(UserAddr.ofPage(5), Vma.PAGE_SIZE, Prot.NONE);
        assertThat(broken(sys)).containsExactly("AS-6");
        assertThat(VmInvariants.AS_6.evaluate(sys).orElseThrow().detail())
                .contains("grants user r-- at page 5").contains("allows only ---");
    }

    /** Bits wider than the area, written behind the record's back: AS-6 and XLAYER-3, not AS-2. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "sv39", "sv48"})
    void AS_6_catchesHardwareBitsWiderThanTheArea(String format) {
        VmSystem sys = system(format, VmSystem.Bug.NONE);
        AddressSpace as = sys.space(0);
        present(as, Prot.R);
        PageFlags wider = as.hwFlags(as.translation(5).orElseThrow()).with(PageFlags.WRITABLE);
        if (sys.frames().format().supportedFlags().contains(PageFlags.DIRTY)) {
            wider = wider.with(PageFlags.DIRTY);
        }
        as.mapper().updateFlags(Page.of4k(5L << Vma.PAGE_SHIFT), wider);
        assertThat(broken(sys)).containsExactlyInAnyOrder("AS-6", "XLAYER-3");
        assertThat(VmInvariants.AS_6.evaluate(sys).orElseThrow().detail()).contains("grants user rw- at page 5");
    }

    /** A user leaf where no area is: AS-6 reports it even though the record knows nothing of it. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "sv39", "sv48"})
    void AS_6_catchesAUserLeafOutsideEveryArea(String format) {
        VmSystem sys = system(format, VmSystem.Bug.NONE);
        AddressSpace as = sys.space(0);
        PhysFrame f = sys.frames().allocateZeroed();
        as.mapper().map(Page.of4k(9L << Vma.PAGE_SHIFT), f, as.hwFlags(new Pte(f, true, false, false)));
        assertThat(broken(sys)).contains("AS-6");
        assertThat(VmInvariants.AS_6.evaluate(sys).orElseThrow().detail()).contains("page 9 but no area covers it");
    }

    /** The stateful suite catches the encoder bug every time: five seeds, each fails on AS-6. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "sv39", "sv48"})
    void AS_6_seededProtNoneUserBitFailsEveryStatefulRun(String format) {
        PteFormat f = PagingFormats.byName(format);
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(60).withSeed(seed).withRuns(300);
            assertThatThrownBy(() -> StatefulChecker.check(new VmStateMachine(VmSystem.Bug.PROT_NONE_USER_BIT, f), s))
                    .as(format + " seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("AS-6")));
        }
    }

    /** A validation rule switched off (MAP_FIXED below mmap_min_addr accepted): VMA-2 fails every stateful run. */
    @org.junit.jupiter.api.Test
    void VMA_2_seededMmapMinAddrUncheckedFailsEveryStatefulRun() {
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(60).withSeed(seed).withRuns(300);
            assertThatThrownBy(() -> StatefulChecker.check(new VmStateMachine(VmSystem.Bug.MMAP_MIN_ADDR_UNCHECKED), s))
                    .as("seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("VMA-2")));
        }
    }

    /** The exhaustive model names AS-6 in two steps (fault a page in, mprotect it PROT_NONE). */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void AS_6_seededProtNoneUserBitIsACounterexampleOfTheExhaustiveModel(int depth) {
        Bounds b = Bounds.parse("pages=7,frames=12,maxLen=2,processes=1,bug=PROT_NONE_USER_BIT");
        ExplorationResult r = Explorer.explore(new VmModel().build(b), ExploreBounds.depth(depth));
        assertThat(r.counterexample()).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo("AS-6");
        assertThat(r.counterexample().get().length()).isEqualTo(2);
    }
}
