package org.mmspec.hwsec.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.mmspec.check.StatefulChecker;
import org.mmspec.frames.PhysAddr;
import org.mmspec.hwsec.HwSecError;
import org.mmspec.hwsec.x86_64.ShadowStackSpace.Area;
import org.mmspec.hwsec.x86_64.ShadowStackSpace.Bug;
import org.mmspec.hwsec.x86_64.ShadowStackSpace.Prot;
import org.mmspec.paging.Entry;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.x86_64.X86_64Pte;

class ShadowStackTest {

    private static ShadowStackSpace space() {
        return new ShadowStackSpace(2, 4, Bug.NONE);
    }

    private static String violated(ShadowStackSpace s) {
        return ShadowStackInvariants.ALL.firstViolation(s).map(v -> v.invariantId()).orElse("none");
    }

    // ------------------------------------------------------------------ the rules, on scenarios

    @Test
    void mapShadowStackWritesTheShadowStackEncodingNoExecute() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        long raw = s.pte(0, 0);
        assertThat(X86_64Pte.isShadowStack(raw)).isTrue();
        assertThat(raw & X86_64Pte.RW).isZero();
        assertThat(raw & X86_64Pte.D).isNotZero();
        assertThat(raw & X86_64Pte.NX).isNotZero();
        assertThat(ShadowStackSpace.hardwareAllowsShadowStackStore(raw)).isTrue();
        assertThat(ShadowStackSpace.hardwareAllowsStore(raw)).isFalse();
        assertThat(ShadowStackSpace.hardwareAllowsFetch(raw)).isFalse();
        ShadowStackInvariants.ALL.assertHolds(s);
    }

    @Test
    void aNormalStoreToAShadowStackSegfaultsAndChangesNothing() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        Object before = s.key();
        assertThatThrownBy(() -> s.store(0, 0)).isInstanceOf(HwSecError.class)
                .satisfies(e -> assertThat(((HwSecError) e).errorKind()).isEqualTo(HwSecError.Kind.SEGV));
        assertThat(s.key()).isEqualTo(before);
    }

    @Test
    void aShadowStackPushToADataPageSegfaults() {
        ShadowStackSpace s = space();
        s.mmap(0, 0, true);
        s.store(0, 0);
        assertThatThrownBy(() -> s.shadowStackPush(0, 0)).isInstanceOf(HwSecError.class);
    }

    @Test
    void mprotectNeitherConvertsToNorFromShadowStack() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        s.mmap(0, 1, true);
        Object before = s.key();
        for (Prot p : Prot.values()) {
            assertThatThrownBy(() -> s.mprotect(0, 0, p)).isInstanceOf(HwSecError.class)
                    .satisfies(e -> assertThat(((HwSecError) e).errorKind()).isEqualTo(HwSecError.Kind.SHADOW_STACK_PROT));
        }
        assertThatThrownBy(() -> s.mprotect(0, 1, Prot.SHADOW_STACK)).isInstanceOf(HwSecError.class);
        assertThat(s.key()).isEqualTo(before);
    }

    @Test
    void forkOfADirtyDataPageSavesDirtyInsteadOfMakingAShadowStack() {
        ShadowStackSpace s = space();
        s.mmap(0, 0, true);
        s.store(0, 0);
        s.fork(0);
        for (int q = 0; q < 2; q++) {
            long raw = s.pte(q, 0);
            assertThat(X86_64Pte.isShadowStack(raw)).as("P%d", q).isFalse();
            assertThat(raw & X86_64Pte.SAVED_DIRTY).isNotZero();
            assertThat(raw & (X86_64Pte.RW | X86_64Pte.D)).isZero();
        }
        s.store(1, 0);
        assertThat(s.load(0, 0)).isEqualTo(ShadowStackSpace.STORED);
        assertThat(ShadowStackSpace.frameOf(s.pte(1, 0))).isNotEqualTo(ShadowStackSpace.frameOf(s.pte(0, 0)));
        ShadowStackInvariants.ALL.assertHolds(s);
    }

    @Test
    void aShadowStackCopiedOnWriteStaysAShadowStack() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        s.shadowStackPush(0, 0);
        s.fork(0);
        long cow = s.pte(1, 0);
        assertThat(X86_64Pte.isShadowStack(cow)).isFalse();
        assertThat(ShadowStackSpace.hardwareAllowsStore(cow)).isFalse();
        s.shadowStackPush(1, 0);
        long broken = s.pte(1, 0);
        assertThat(X86_64Pte.isShadowStack(broken)).isTrue();
        assertThat(broken & X86_64Pte.NX).isNotZero();
        assertThat(ShadowStackSpace.frameOf(broken)).isNotEqualTo(ShadowStackSpace.frameOf(s.pte(0, 0)));
        assertThat(s.area(1, 0)).isEqualTo(Area.SHADOW_STACK);
        // The parent's copy is now the last reference: its push reuses the frame as a shadow stack.
        s.shadowStackPush(0, 0);
        assertThat(X86_64Pte.isShadowStack(s.pte(0, 0))).isTrue();
        ShadowStackInvariants.ALL.assertHolds(s);
    }

    @Test
    void dumpPtNamesShadowStackAndSavedDirty() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        s.mmap(0, 1, true);
        s.store(0, 1);
        s.fork(0);
        assertThat(X86_64Pte.FORMAT.describe(ShadowStackSpace.shadowStackLeaf(3, Bug.NONE), X86_64Pte.PT_DEPTH))
                .contains("SS").contains("NX").doesNotContain("RW");
        assertThat(X86_64Pte.FORMAT.describe(s.pte(0, 1), X86_64Pte.PT_DEPTH)).contains("SavedDirty")
                .doesNotContain("SS").doesNotContain("ignored");
    }

    // ------------------------------------------------------------------ encode/decode round trips

    @Test
    void shadowStackAndSavedDirtyBitsRoundTrip() {
        Random r = new Random(HwSecChecks.SEED);
        for (int i = 0; i < 2000; i++) {
            int frame = r.nextInt(1 << 20);
            boolean writable = r.nextBoolean();
            long data = ShadowStackSpace.dataLeaf(frame, writable);
            long ss = ShadowStackSpace.shadowStackLeaf(frame, Bug.NONE);
            Entry e = X86_64Pte.FORMAT.decode(ss, X86_64Pte.PT_DEPTH);
            assertThat(e.address()).isEqualTo(PhysAddr.of((long) frame << 12));
            assertThat(e.flags()).isEqualTo(PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.ACCESSED,
                    PageFlags.DIRTY, PageFlags.NO_EXECUTE));
            assertThat(X86_64Pte.FORMAT.encodeLeaf(e.address(), e.flags(), X86_64Pte.PT_DEPTH)).isEqualTo(ss);
            assertThat(X86_64Pte.isShadowStack(ss)).isTrue();
            assertThat(X86_64Pte.isShadowStack(data)).isFalse();
            // Write-protect then make writable again gives back the same leaf; neither step reads as shadow stack.
            long wp = space().wrprotect(data);
            assertThat(X86_64Pte.isShadowStack(wp)).isFalse();
            assertThat(ShadowStackSpace.mkwrite(wp)).isEqualTo(data | X86_64Pte.RW);
            assertThat(ShadowStackSpace.frameOf(wp)).isEqualTo(frame);
        }
    }

    // ------------------------------------------------------------------ negative tests, one per invariant

    @Test
    void SHSTK_1_catchesAWritableLeafInAShadowStackArea() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        s.corruptPte(0, 0, ShadowStackSpace.dataLeaf(0, true));
        assertThat(violated(s)).isEqualTo("SHSTK-1");
    }

    @Test
    void SHSTK_1_catchesAnExecutableShadowStackLeaf() {
        ShadowStackSpace s = space();
        s.mapShadowStack(0, 0);
        s.corruptPte(0, 0, s.pte(0, 0) & ~X86_64Pte.NX);
        assertThat(violated(s)).isEqualTo("SHSTK-1");
    }

    @Test
    void SHSTK_2_catchesADataLeafThatReadsAsShadowStack() {
        ShadowStackSpace s = space();
        s.mmap(0, 0, true);
        s.store(0, 0);
        s.corruptPte(0, 0, s.pte(0, 0) & ~X86_64Pte.RW);
        assertThat(violated(s)).isEqualTo("SHSTK-2");
    }

    @Test
    void SHSTK_3_catchesAWrittenPageThatLostItsDirtyBit() {
        ShadowStackSpace s = space();
        s.mmap(0, 0, true);
        s.store(0, 0);
        s.corruptPte(0, 0, s.pte(0, 0) & ~X86_64Pte.D & ~X86_64Pte.RW);
        assertThat(violated(s)).isEqualTo("SHSTK-3");
    }

    @Test
    void SHSTK_3_catchesSavedDirtyOnAWritableLeaf() {
        ShadowStackSpace s = space();
        s.mmap(0, 0, true);
        s.store(0, 0);
        s.corruptPte(0, 0, s.pte(0, 0) | X86_64Pte.SAVED_DIRTY);
        assertThat(violated(s)).isEqualTo("SHSTK-3");
    }

    @Test
    void SHSTK_4_catchesAShadowStackAreaNotMadeByMapShadowStack() {
        ShadowStackSpace s = space();
        s.mmap(0, 0, false);
        s.corruptArea(0, 0, Area.SHADOW_STACK);
        assertThat(violated(s)).isEqualTo("SHSTK-4");
    }

    // ------------------------------------------------------------------ stateful runs and seeded bugs

    @Test
    void statefulRunsKeepEveryShadowStackInvariantAndAgreeWithTheModel() {
        StatefulChecker.check(new ShadowStackMachine(), HwSecChecks.settings(300));
    }

    @Test
    void SHSTK_2_catchesWriteProtectKeepingDirty() {
        HwSecChecks.assertCaughtBy(new ShadowStackMachine(Bug.WRPROTECT_KEEPS_DIRTY), "SHSTK-2", 4);
    }

    @Test
    void SHSTK_3_catchesWriteProtectDroppingDirty() {
        HwSecChecks.assertCaughtBy(new ShadowStackMachine(Bug.WRPROTECT_DROPS_DIRTY), "SHSTK-3", 4);
    }

    @Test
    void SHSTK_1_catchesAnExecutableShadowStackMapping() {
        HwSecChecks.assertCaughtBy(new ShadowStackMachine(Bug.SHADOW_STACK_EXECUTABLE), "SHSTK-1", 2);
    }

    @Test
    void SHSTK_1_catchesACopyOnWriteBreakThatMakesAShadowStackWritable() {
        HwSecChecks.assertCaughtBy(new ShadowStackMachine(Bug.SHADOW_STACK_COW_WRITABLE), "SHSTK-1", 4);
    }

    @Test
    void SHSTK_4_catchesMprotectConvertingToShadowStack() {
        HwSecChecks.assertCaughtBy(new ShadowStackMachine(Bug.MPROTECT_CONVERTS), "SHSTK-4", 3);
    }
}
