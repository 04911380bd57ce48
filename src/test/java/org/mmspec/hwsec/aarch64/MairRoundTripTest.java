package org.mmspec.hwsec.aarch64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysAddr;
import org.mmspec.paging.Entry;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.aarch64.Mair;

/** Encode/decode round trips of the MTE bits: AttrIndx, MAIR_EL1's Attr fields, pointer tags and the top byte. */
class MairRoundTripTest {
    @Test
    void MTE_3_attrIndxRoundTripsForEverySlotAndChangesNoOtherBit() {
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < 2000; i++) {
            long raw = r.nextLong();
            for (int slot = 0; slot < Mair.SLOTS; slot++) {
                long w = Mair.withAttrIndx(raw, slot);
                assertThat(Mair.attrIndx(w)).isEqualTo(slot);
                assertThat(w & ~Aarch64Pte.ATTR_INDX_MASK).isEqualTo(raw & ~Aarch64Pte.ATTR_INDX_MASK);
            }
        }
        assertThatThrownBy(() -> Mair.withAttrIndx(0, Mair.SLOTS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void MTE_3_taggedLeavesDecodeToTheSameFlagsAndFrameAndPrintTagged() {
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 500; i++) {
            PageFlags f = PageFlags.PRESENT.with(new PageFlags(r.nextInt(1 << 9) & Aarch64Pte.G4K.supportedFlags().bits()
                    & ~PageFlags.NO_CACHE.bits() & ~PageFlags.WRITE_THROUGH.bits()));
            PhysAddr pa = PhysAddr.of((long) r.nextInt(1 << 20) << 12);
            long raw = Aarch64Pte.G4K.encodeLeaf(pa, f, 3);
            long tagged = Mair.withTagged(raw);
            Entry a = Aarch64Pte.G4K.decode(raw, 3);
            Entry b = Aarch64Pte.G4K.decode(tagged, 3);
            assertThat(b.flags()).isEqualTo(a.flags()).isEqualTo(f);
            assertThat(b.address()).isEqualTo(pa);
            assertThat(Mair.isTagged(tagged)).isTrue();
            assertThat(Mair.isTagged(raw)).isFalse();
            assertThat(Aarch64Pte.G4K.describe(tagged, 3)).contains("AttrIndx=4 Tagged");
            assertThat(Aarch64Pte.G4K.describe(raw, 3)).doesNotContain("Tagged");
        }
    }

    @Test
    void MTE_3_mairHoldsTheArchitecturalAttributeEncodings() {
        long mair = Mair.modelValue();
        assertThat(Mair.attr(mair, Aarch64Pte.MAIR_NORMAL_WB)).isEqualTo(0xFF);
        assertThat(Mair.attr(mair, Aarch64Pte.MAIR_NORMAL_NC)).isEqualTo(0x44);
        assertThat(Mair.attr(mair, Aarch64Pte.MAIR_NORMAL_WT)).isEqualTo(0xBB);
        assertThat(Mair.attr(mair, Aarch64Pte.MAIR_DEVICE)).isEqualTo(0x04);
        assertThat(Mair.attr(mair, Mair.TAGGED_SLOT)).isEqualTo(0b1111_0000);
        assertThat(mair).isEqualTo(0x00_00_00_F0_04_BB_44_FFL);
        assertThat(Mair.slotName(7)).isEqualTo("unused");
    }

    @Test
    void TBI_1_pointerTagAndTopByteRoundTrip() {
        SplittableRandom r = new SplittableRandom(14);
        for (int i = 0; i < 2000; i++) {
            long p = r.nextLong();
            int t = r.nextInt(16);
            long q = AllocationTag.of(t).onPointer(p);
            assertThat(AllocationTag.ofPointer(q).value()).isEqualTo(t);
            assertThat(q & ~AllocationTag.POINTER_TAG_MASK).isEqualTo(p & ~AllocationTag.POINTER_TAG_MASK);
            int top = r.nextInt(256);
            long w = TopByteIgnore.withTopByte(p, top);
            assertThat(TopByteIgnore.topByte(w)).isEqualTo(top);
            assertThat(w & ~TopByteIgnore.TOP_BYTE_MASK).isEqualTo(p & ~TopByteIgnore.TOP_BYTE_MASK);
        }
        assertThat(TopByteIgnore.TCR_TBI0).isEqualTo(1L << 37);
        assertThat(TopByteIgnore.TCR_TBI1).isEqualTo(1L << 38);
        assertThat(TagCheckMode.SYNC.tcf).isEqualTo(1);
        assertThat(TagCheckMode.ASYNC.tcf).isEqualTo(2);
        assertThatThrownBy(() -> AllocationTag.of(16)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void TBI_1_translationIgnoresExactlyTheTopByteOfUserPointers() {
        SplittableRandom r = new SplittableRandom(15);
        for (int i = 0; i < 2000; i++) {
            long va = r.nextLong() & 0x0000_7FFF_FFFF_FFFFL;
            long p = TopByteIgnore.withTopByte(va, r.nextInt(256));
            assertThat(TopByteIgnore.translate(p, true).value()).isEqualTo(va);
            int bit = 48 + r.nextInt(8);
            assertThatThrownBy(() -> TopByteIgnore.translate(p | (1L << bit), true)).isInstanceOf(ArmSecError.class);
            if (TopByteIgnore.topByte(p) != 0) {
                assertThatThrownBy(() -> TopByteIgnore.translate(p, false)).isInstanceOf(ArmSecError.class);
            } else {
                assertThat(TopByteIgnore.translate(p, false).value()).isEqualTo(va);
            }
        }
    }
}
