package org.mmspec.hwsec.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.mmspec.check.StatefulChecker;
import org.mmspec.frames.PhysFrame;
import org.mmspec.hwsec.HwSecError;
import org.mmspec.paging.Entry;
import org.mmspec.paging.x86_64.X86_64Pte;

class CcTest {

    private static String violated(CcGuest g) {
        return CcInvariants.ALL.firstViolation(g).map(v -> v.invariantId()).orElse("none");
    }

    private static CcGuest guest(CcMode mode) {
        return new CcGuest(mode, 1, 2, CcGuest.Bug.NONE);
    }

    @Test
    void theBitSitsAtItsArchitecturalPosition() {
        CcGuest sev = guest(CcMode.SEV);
        assertThat(sev.pte(CcGuest.KERNEL_DATA) & 1L << 51).isNotZero();
        assertThat(sev.pte(CcGuest.DMA_BUFFER) & 1L << 51).isZero();
        CcGuest tdx = guest(CcMode.TDX);
        assertThat(tdx.pte(CcGuest.KERNEL_DATA) & 1L << 47).isZero();
        assertThat(tdx.pte(CcGuest.DMA_BUFFER) & 1L << 47).isNotZero();
        assertThat(CcMode.tdx(52).bit()).isEqualTo(51);
        assertThat(CcMode.SEV.describe(sev.pte(CcGuest.KERNEL_DATA))).isEqualTo("C(bit 51)=1 private");
        assertThat(CcMode.TDX.describe(tdx.pte(CcGuest.DMA_BUFFER))).isEqualTo("S(bit 47)=1 shared");
    }

    @Test
    void encryptionBitRoundTripsThroughTheLeafEncoding() {
        Random r = new Random(HwSecChecks.SEED);
        for (CcMode mode : new CcMode[] {CcMode.SEV, CcMode.sev(47), CcMode.TDX, CcMode.tdx(52)}) {
            for (int i = 0; i < 1000; i++) {
                PhysFrame f = PhysFrame.of(r.nextInt(1 << 30) & ~(1 << (mode.bit() - PhysFrame.SHIFT)));
                boolean priv = r.nextBoolean();
                long raw = X86_64Pte.FORMAT.encodeLeaf(mode.encode(f, priv),
                        org.mmspec.paging.PageFlags.readWrite(), X86_64Pte.PT_DEPTH);
                Entry e = X86_64Pte.FORMAT.decode(raw, X86_64Pte.PT_DEPTH);
                assertThat(e.address()).isEqualTo(mode.encode(f, priv));
                assertThat(mode.isPrivate(raw)).isEqualTo(priv);
                assertThat(mode.frame(raw)).isEqualTo(f);
            }
        }
    }

    @Test
    void theConversionProtocolRunsInOrderAndLeavesTheSharedPageZeroed() {
        CcGuest g = guest(CcMode.SEV);
        int p = CcGuest.FIRST_CONVERTIBLE;
        g.write(0, p);
        g.fill(1, p);
        assertThat(g.content(CcGuest.frameOf(p))).isEqualTo(CcGuest.SECRET);
        Object before = g.key();
        assertThatThrownBy(g::zero).isInstanceOf(HwSecError.class);
        assertThatThrownBy(g::remap).isInstanceOf(HwSecError.class);
        assertThat(g.key()).isEqualTo(before);
        g.convertBegin(p, false);
        CcInvariants.ALL.assertHolds(g);
        g.shootdown();
        assertThat(g.cpuHolds(0, p) || g.cpuHolds(1, p)).isFalse();
        g.zero();
        g.remap();
        assertThat(CcMode.SEV.isPrivate(g.pte(p))).isFalse();
        assertThat(g.content(CcGuest.frameOf(p))).isEqualTo(CcGuest.ZERO);
        g.write(1, p);
        assertThat(g.content(CcGuest.frameOf(p))).isEqualTo(CcGuest.PUBLIC);
        CcInvariants.ALL.assertHolds(g);
    }

    @Test
    void dmaBuffersAndKernelDataCannotBeConverted() {
        CcGuest g = guest(CcMode.TDX);
        Object before = g.key();
        for (int p : new int[] {CcGuest.DMA_BUFFER, CcGuest.KERNEL_DATA}) {
            for (boolean toPrivate : new boolean[] {true, false}) {
                assertThatThrownBy(() -> g.convertBegin(p, toPrivate)).isInstanceOf(HwSecError.class)
                        .satisfies(e -> assertThat(((HwSecError) e).errorKind()).isEqualTo(HwSecError.Kind.NOT_CONVERTIBLE));
            }
        }
        assertThat(g.key()).isEqualTo(before);
    }

    @Test
    void CC_1_catchesACpuCachingAPageInTheOtherState() {
        CcGuest g = guest(CcMode.SEV);
        int p = CcGuest.FIRST_CONVERTIBLE;
        g.fill(0, p);
        g.corruptPte(p, g.leaf(p, false));
        assertThat(violated(g)).isEqualTo("CC-1");
    }

    @Test
    void CC_2_catchesAPrivateDmaBuffer() {
        CcGuest g = guest(CcMode.TDX);
        g.corruptPte(CcGuest.DMA_BUFFER, g.leaf(CcGuest.DMA_BUFFER, true));
        assertThat(violated(g)).isEqualTo("CC-2");
    }

    @Test
    void CC_3_catchesSharedKernelData() {
        CcGuest g = guest(CcMode.SEV);
        g.corruptPte(CcGuest.KERNEL_DATA, g.leaf(CcGuest.KERNEL_DATA, false));
        assertThat(violated(g)).isEqualTo("CC-3");
    }

    @Test
    void CC_3_catchesALeafMappingThePageTableShared() {
        CcGuest g = guest(CcMode.TDX);
        int p = CcGuest.FIRST_CONVERTIBLE;
        g.corruptPte(p, X86_64Pte.FORMAT.encodeLeaf(CcMode.TDX.encode(PhysFrame.of(CcGuest.TABLE_FRAME), false),
                org.mmspec.paging.PageFlags.readWrite(), X86_64Pte.PT_DEPTH));
        assertThat(violated(g)).isEqualTo("CC-3");
    }

    @Test
    void CC_4_catchesPlaintextInASharedPage() {
        CcGuest g = guest(CcMode.SEV);
        int p = CcGuest.FIRST_CONVERTIBLE;
        g.write(0, p);
        g.evict(0, p);
        g.corruptPte(p, g.leaf(p, false));
        assertThat(violated(g)).isEqualTo("CC-4");
    }

    @Test
    void statefulRunsKeepEveryCcInvariantUnderSevAndTdx() {
        StatefulChecker.check(new CcMachine(CcMode.SEV), HwSecChecks.settings(200));
        StatefulChecker.check(new CcMachine(CcMode.TDX), HwSecChecks.settings(200));
    }

    @Test
    void CC_1_catchesASkippedShootdown() {
        HwSecChecks.assertCaughtBy(new CcMachine(CcMode.SEV, CcGuest.Bug.SKIP_SHOOTDOWN), "CC-1", 4);
    }

    @Test
    void CC_4_catchesASkippedZeroing() {
        HwSecChecks.assertCaughtBy(new CcMachine(CcMode.TDX, CcGuest.Bug.SKIP_ZERO), "CC-4", 6);
    }

    @Test
    void CC_2_catchesAPrivateDmaMapping() {
        HwSecChecks.assertCaughtBy(new CcMachine(CcMode.SEV, CcGuest.Bug.DMA_PRIVATE), "CC-2", 1);
    }

    @Test
    void CC_3_catchesASharedPageTableAndConvertibleKernelData() {
        HwSecChecks.assertCaughtBy(new CcMachine(CcMode.TDX, CcGuest.Bug.TABLE_SHARED), "CC-3", 1);
        HwSecChecks.assertCaughtBy(new CcMachine(CcMode.SEV, CcGuest.Bug.KERNEL_DATA_CONVERTIBLE), "CC-3", 2);
    }
}
