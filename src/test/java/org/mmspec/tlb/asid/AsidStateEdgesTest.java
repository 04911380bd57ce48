package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.asid.AsidTestSupport.model;

import org.junit.jupiter.api.Test;

/**
 * The state's page-table reading and per-CPU slot layout at their edges: an entry agrees with a
 * page table exactly when the PTE is present, maps the entry's frame and allows at least the
 * entry's writes (a read-only entry agrees with a read-only PTE); and each CPU's PCID slots are
 * its own, so a slot given on the second CPU is seen there and nowhere else. The explorer's key
 * holds each CPU's running space and tag.
 */
class AsidStateEdgesTest {
    @Test
    void anEntryAgreesExactlyWhenThePteMapsItsFrameAndAllowsItsWrites() {
        AsidState s = model("arch=aarch64,cpus=1,spaces=2,asids=3,pages=2,huge=0,ops=1,generations=1").initial();
        int f = AsidState.frameOf(1, 1);
        TaggedEntry ro = new TaggedEntry(1, 1, f, false, 1);
        TaggedEntry rw = new TaggedEntry(1, 1, f, true, 1);
        TaggedEntry other = new TaggedEntry(1, 1, AsidState.frameOf(1, 0), false, 1);
        assertThat(s.agrees(1, ro, 1)).as("read-only entry, writable PTE").isTrue();
        assertThat(s.agrees(1, rw, 1)).as("writable entry, writable PTE").isTrue();
        assertThat(s.agrees(1, other, 1)).as("another frame").isFalse();
        s.pte[3] = AsidState.encodePte(f, false);
        assertThat(s.pteWritable(1, 1)).isFalse();
        assertThat(s.pteFrame(1, 1)).isEqualTo(f);
        assertThat(s.agrees(1, ro, 1)).as("read-only entry, read-only PTE").isTrue();
        assertThat(s.agrees(1, ro)).isTrue();
        assertThat(s.agrees(1, rw, 1)).as("writable entry, read-only PTE").isFalse();
        assertThat(s.agrees(1, rw)).isFalse();
        s.pte[3] = 0;
        assertThat(s.agrees(1, ro, 1)).as("unmapped").isFalse();
        assertThat(s.agrees(1, ro)).isFalse();
        assertThat(s.agrees(0, new TaggedEntry(1, 0, AsidState.frameOf(0, 0), true, 0))).isTrue();
    }

    @Test
    void eachCpuHasItsOwnPcidSlots() {
        AsidState s = model("arch=x86,cpus=2,spaces=2,asids=2,pages=1,huge=0,ops=0").initial();
        assertThat(s.slots()).isEqualTo(2);
        s.setSlot(1, 0, 1, 3);
        assertThat(s.slotSpace(1, 0)).isEqualTo(1);
        assertThat(s.slotGen(1, 0)).isEqualTo(3);
        for (int slot = 0; slot < 2; slot++) {
            assertThat(s.slotSpace(0, slot)).as("cpu0 slot %d", slot).isEqualTo(-1);
            assertThat(s.slotGen(0, slot)).isZero();
        }
        assertThat(s.slotSpace(1, 1)).isEqualTo(-1);
        s.setSlotGen(1, 1, 2);
        assertThat(s.slotGen(1, 1)).isEqualTo(2);
        assertThat(s.slotGen(0, 1)).isZero();
        s.setSlot(0, 1, 0, 1);
        assertThat(s.slotSpace(0, 1)).isZero();
        assertThat(s.slotSpace(1, 0)).isEqualTo(1);
    }

    @Test
    void theKeyHoldsEachCpusRunningSpaceAndTag() {
        AsidState s = model("arch=aarch64,cpus=2,spaces=2,asids=3,pages=1,huge=0,ops=0,generations=1").initial();
        AsidState running = s.copy();
        running.running[1] = 0;
        AsidState tagged = s.copy();
        tagged.tag[1] = 2;
        assertThat(running).isNotEqualTo(s);
        assertThat(running.key()).isNotEqualTo(s.key()).isNotEqualTo(tagged.key());
        assertThat(tagged.key()).isNotEqualTo(s.key());
        assertThat(s.copy().key()).isEqualTo(s.key());
    }
}
