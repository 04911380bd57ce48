package org.mmspec.hwsec.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.mmspec.check.StatefulChecker;
import org.mmspec.hwsec.HwSecError;
import org.mmspec.paging.PointerMasking;
import org.mmspec.paging.VirtAddr;

class LamTest {

    private static String violated(LamSpace s) {
        return LamInvariants.ALL.firstViolation(s).map(v -> v.invariantId()).orElse("none");
    }

    @Test
    void twoPointersDifferingOnlyInMetadataReachTheSamePage() {
        LamSpace s = new LamSpace(LamTranslator.Bug.NONE);
        s.map(0);
        s.enable(0, LamMode.LAM_U57);
        long plain = 0x1008L;
        long tagged = plain | 0x2A00_0000_0000_0000L;
        assertThat(s.load(0, tagged)).isEqualTo(s.load(0, plain));
        // Bit 56 is an address bit under LAM_U57: the pointer is not canonical.
        assertThatThrownBy(() -> s.load(0, plain | 1L << 56)).isInstanceOf(HwSecError.class);
        LamInvariants.ALL.assertHolds(s);
    }

    @Test
    void lamU48IgnoresBits62To48ButNotBit47() {
        assertThat(LamMode.LAM_U48.untag(0x7FFF_0000_0000_1000L)).contains(VirtAddr.of(0x1000L));
        assertThat(LamMode.LAM_U48.untag(0x0000_8000_0000_1000L)).isEmpty();
        assertThat(LamMode.OFF.untag(0x0001_0000_0000_1000L)).isEmpty();
    }

    @Test
    void kernelPointersAreUnaffectedAndRejectedWithMetadata() {
        for (LamMode m : LamMode.values()) {
            assertThat(m.untag(LamSpace.KERNEL_PAGE)).contains(VirtAddr.of(LamSpace.KERNEL_PAGE));
            assertThat(m.untag(LamSpace.KERNEL_PAGE ^ 1L << 57)).isEmpty();
        }
    }

    @Test
    void aModeIsEnabledOnceAndForkInheritsIt() {
        LamSpace s = new LamSpace(LamTranslator.Bug.NONE);
        s.enable(0, LamMode.LAM_U48);
        Object before = s.key();
        assertThatThrownBy(() -> s.enable(0, LamMode.LAM_U57)).isInstanceOf(HwSecError.class)
                .satisfies(e -> assertThat(((HwSecError) e).errorKind()).isEqualTo(HwSecError.Kind.MODE_LOCKED));
        assertThat(s.key()).isEqualTo(before);
        s.fork(0);
        assertThat(s.mode(1)).isEqualTo(LamMode.LAM_U48);
    }

    /** Round trip of the new bits: CR3's LAM field and the untag of a tagged pointer. */
    @Test
    void cr3LamBitsAndMetadataRoundTrip() {
        Random r = new Random(HwSecChecks.SEED);
        for (LamMode m : LamMode.values()) {
            assertThat(LamMode.fromCr3(m.cr3Bits() | 0x1000L)).isEqualTo(m);
            PointerMasking pm = m;
            for (int i = 0; i < 2000; i++) {
                long va = r.nextLong() & ((1L << 47) - 1);
                long metadata = r.nextLong() & pm.userMetadataMask();
                assertThat(pm.untag(va | metadata)).isEqualTo(Optional.of(VirtAddr.of(va)));
                // Any non-metadata bit 47..62 set makes the pointer fault: no other bit is ignored.
                int bit = 47 + r.nextInt(16);
                if ((pm.userMetadataMask() & 1L << bit) == 0) {
                    assertThat(pm.untag(va | metadata | 1L << bit)).isEmpty();
                }
            }
        }
        assertThat(LamMode.fromCr3(LamMode.CR3_LAM_U57 | LamMode.CR3_LAM_U48)).isEqualTo(LamMode.LAM_U48);
    }

    @Test
    void LAM_1_catchesAModeThatDoesNotIgnoreItsMetadata() {
        LamSpace s = new LamSpace(LamTranslator.Bug.U57_MISSES_BIT_62);
        s.enable(0, LamMode.LAM_U57);
        assertThat(violated(s)).isEqualTo("LAM-1");
    }

    @Test
    void LAM_2_catchesMaskingOfKernelPointers() {
        LamSpace s = new LamSpace(LamTranslator.Bug.MASKS_KERNEL);
        s.enable(0, LamMode.LAM_U48);
        assertThat(violated(s)).isEqualTo("LAM-2");
    }

    @Test
    void LAM_3_catchesAMissingCanonicalCheck() {
        LamSpace s = new LamSpace(LamTranslator.Bug.SKIPS_CANONICAL_CHECK);
        s.enable(0, LamMode.LAM_U57);
        assertThat(violated(s)).isEqualTo("LAM-3");
    }

    @Test
    void statefulRunsKeepEveryLamInvariantAndAgreeWithTheModel() {
        StatefulChecker.check(new LamMachine(), HwSecChecks.settings(200));
    }

    @Test
    void LAM_1_catchesTheSeededBugInStatefulRuns() {
        HwSecChecks.assertCaughtBy(new LamMachine(LamTranslator.Bug.U57_MISSES_BIT_62), "LAM-1", 2);
    }

    @Test
    void LAM_2_catchesBit63MaskedInStatefulRuns() {
        HwSecChecks.assertCaughtBy(new LamMachine(LamTranslator.Bug.MASKS_BIT_63), "LAM-2", 2);
    }

    @Test
    void LAM_3_catchesBit47MaskedInStatefulRuns() {
        HwSecChecks.assertCaughtBy(new LamMachine(LamTranslator.Bug.U48_MASKS_BIT_47), "LAM-3", 2);
    }
}
