package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysAddr;

/**
 * The heap's small types: heap addresses at the region's edges, call sites, the live table's
 * entries, corruption findings, configurations and debug options at their limits, and the
 * memory store's reads, fills, FNV-1a checksums and digests.
 */
class HeapValueTypesTest {

    @Test
    void heapAddressesCoverExactlyTheSixteenTiBRegion() {
        assertThat(HeapAddr.HEAP_BASE).isEqualTo(0xFFFF_C000_0000_0000L);
        assertThat(HeapAddr.HEAP_SIZE).isEqualTo(1L << 44);
        assertThat(HeapAddr.ofOffset(0).virtual()).isEqualTo(0xFFFF_C000_0000_0000L);
        HeapAddr last = HeapAddr.ofOffset(HeapAddr.HEAP_SIZE - 1);
        assertThat(last.virtual()).isEqualTo(0xFFFF_CFFF_FFFF_FFFFL);
        assertThatThrownBy(() -> HeapAddr.ofOffset(HeapAddr.HEAP_SIZE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heap offset 0x100000000000 outside the 16 TiB heap region");
        assertThatThrownBy(() -> HeapAddr.ofOffset(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> last.plus(1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HeapAddr.ofVirtual(0xFFFF_C000_0000_1000L).offset()).isEqualTo(0x1000);
        assertThatThrownBy(() -> HeapAddr.ofVirtual(0xFFFF_BFFF_FFFF_FFFFL)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HeapAddr.inRegion(0xFFFF_C000_0000_0000L)).isTrue();
        assertThat(HeapAddr.inRegion(0xFFFF_CFFF_FFFF_FFFFL)).isTrue();
        assertThat(HeapAddr.inRegion(0xFFFF_BFFF_FFFF_FFFFL)).isFalse();
        assertThat(HeapAddr.inRegion(0xFFFF_D000_0000_0000L)).isFalse();
    }

    @Test
    void heapAddressesMapLinearlyToPhysicalBytes() {
        HeapAddr a = HeapAddr.linear(PhysAddr.of(0x12345));
        assertThat(a.offset()).isEqualTo(0x12345);
        assertThat(a.phys()).isEqualTo(PhysAddr.of(0x12345));
        assertThat(a.plus(0x10).offset()).isEqualTo(0x12355);
        assertThat(a.toString()).isEqualTo("0xffffc00000012345");
    }

    @Test
    void alignmentComparisonAndEquality() {
        HeapAddr a = HeapAddr.ofOffset(0x3000);
        assertThat(a.isAligned(0x1000)).isTrue();
        assertThat(a.isAligned(0x2000)).isFalse();
        assertThat(HeapAddr.ofOffset(0x3008).isAligned(8)).isTrue();
        assertThat(HeapAddr.ofOffset(0x3008).isAligned(16)).isFalse();
        assertThat(a.compareTo(HeapAddr.ofOffset(0x3001))).isNegative();
        assertThat(a.compareTo(HeapAddr.ofOffset(0x2FFF))).isPositive();
        assertThat(a.compareTo(HeapAddr.ofOffset(0x3000))).isZero();
        assertThat(a).isEqualTo(HeapAddr.ofOffset(0x3000)).isNotEqualTo(HeapAddr.ofOffset(0x3001)).isNotEqualTo("0x3000");
        assertThat(a.hashCode()).isEqualTo(Long.hashCode(0x3000));
    }

    @Test
    void callSitesCompareByFunctionThenLine() {
        CallSite a = CallSite.of("vfs_open", 12);
        assertThat(a.function()).isEqualTo("vfs_open");
        assertThat(a.line()).isEqualTo(12);
        assertThat(a.toString()).isEqualTo("vfs_open:12");
        assertThat(a).isEqualTo(CallSite.of("vfs_open", 12)).isNotEqualTo(CallSite.of("vfs_open", 13))
                .isNotEqualTo(CallSite.of("vfs_read", 12)).isNotEqualTo("vfs_open:12");
        assertThat(a.hashCode()).isEqualTo("vfs_open".hashCode() * 31 + 12);
        assertThat(a.compareTo(CallSite.of("vfs_open", 13))).isNegative();
        assertThat(a.compareTo(CallSite.of("vfs_open", 11))).isPositive();
        assertThat(a.compareTo(CallSite.of("vfs_read", 1))).isNegative();
        assertThat(a.compareTo(CallSite.of("vfs_open", 12))).isZero();
        assertThat(CallSite.UNKNOWN.toString()).isEqualTo("?:0");
    }

    @Test
    void theCallerIsTheInnermostFrameOutsideTheAllocator() {
        CallSite here = CallSite.caller();
        assertThat(here.function()).isEqualTo("HeapValueTypesTest.theCallerIsTheInnermostFrameOutsideTheAllocator");
        assertThat(here.line()).isPositive();
    }

    @Test
    void anAllocationPrintsItsAddressSizeClassAndSite() {
        HeapAddr at = HeapAddr.ofOffset(0x10000);
        Allocation small = new Allocation(at, 100, SizeClass.B128, 128, 1, CallSite.of("f", 3));
        assertThat(small.toString()).isEqualTo("0xffffc00000010000+100(128)@f:3");
        assertThat(small.isLarge()).isFalse();
        assertThat(small.cpu()).isEqualTo(1);
        Allocation large = new Allocation(at, 20_000, null, 20_032, 0, CallSite.UNKNOWN);
        assertThat(large.toString()).isEqualTo("0xffffc00000010000+20000(large 20032)");
        assertThat(large.isLarge()).isTrue();
        assertThat(large.blockBytes()).isEqualTo(20_032);
    }

    @Test
    void aCorruptionPrintsKindPlaceOffsetAndDetail() {
        Corruption c = new Corruption(Corruption.Kind.POISON, HeapAddr.ofOffset(0x40), 5, "written while free");
        assertThat(c.toString()).isEqualTo("POISON at 0xffffc00000000040+5: written while free");
        assertThat(c.detail()).isEqualTo("written while free");
        assertThat(c.object()).isEqualTo(HeapAddr.ofOffset(0x40));
    }

    @Test
    void aConfigurationNeedsAtLeastOneCpuAndABatchThatFitsTheMagazine() {
        HeapConfig least = new HeapConfig(1, 1, 1, 0, HeapDebugOptions.OFF);
        assertThat(least.batch()).isEqualTo(1);
        assertThat(HeapConfig.of(2, 4, 4, 3)).isEqualTo(new HeapConfig(2, 4, 4, 3, HeapDebugOptions.OFF));
        assertThat(least.withDebug(HeapDebugOptions.ALL).debug()).isEqualTo(HeapDebugOptions.ALL);
        assertThat(HeapConfig.DEFAULT).isEqualTo(new HeapConfig(4, 16, 8, 1, HeapDebugOptions.OFF));
        assertThatThrownBy(() -> HeapConfig.of(0, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("need cpus >= 1, 1 <= batch <= magazineCapacity, emptySlabsKept >= 0: 0/1/1/0");
        assertThatThrownBy(() -> HeapConfig.of(1, 0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeapConfig.of(1, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeapConfig.of(1, 2, 3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeapConfig.of(1, 1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HeapConfig(1, 1, 1, 0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("debug options missing");
    }

    @Test
    void onlyRedZonesAddGuardBytesAndEveryFeatureButCallerTrackingTouchesMemory() {
        assertThat(HeapDebugOptions.RED_ZONE_MIN).isEqualTo(8);
        assertThat(HeapDebugOptions.RED_ZONE_BYTE).isEqualTo((byte) 0xBB);
        assertThat(HeapDebugOptions.POISON_FREE).isEqualTo((byte) 0x6B);
        assertThat(new HeapDebugOptions(true, false, false, false, false).guardBytes()).isEqualTo(8);
        assertThat(new HeapDebugOptions(false, true, true, true, true).guardBytes()).isZero();
        assertThat(new HeapDebugOptions(true, false, false, false, false).touchesMemory()).isTrue();
        assertThat(new HeapDebugOptions(false, true, false, false, false).touchesMemory()).isTrue();
        assertThat(new HeapDebugOptions(false, false, true, false, false).touchesMemory()).isTrue();
        assertThat(new HeapDebugOptions(false, false, false, true, false).touchesMemory()).isTrue();
        assertThat(new HeapDebugOptions(false, false, false, false, true).touchesMemory()).isFalse();
        assertThat(HeapDebugOptions.OFF.touchesMemory()).isFalse();
    }

    @Test
    void memoryReadsZeroUntilWrittenAndFillsExactlyItsRange() {
        HeapMemory m = new HeapMemory();
        HeapAddr a = HeapAddr.ofOffset(4090);
        assertThat(m.read(a)).isZero();
        assertThat(m.digest()).isEmpty();
        m.fill(a, 10, (byte) 7); // crosses into the next page
        assertThat(m.read(a)).isEqualTo((byte) 7);
        assertThat(m.read(HeapAddr.ofOffset(4089))).isZero();
        assertThat(m.read(HeapAddr.ofOffset(4099))).isEqualTo((byte) 7);
        assertThat(m.read(HeapAddr.ofOffset(4100))).isZero();
        assertThat(m.firstMismatch(a, 10, (byte) 7)).isEqualTo(-1);
        assertThat(m.firstMismatch(a, 11, (byte) 7)).isEqualTo(10);
        assertThat(m.firstMismatch(HeapAddr.ofOffset(4088), 4, (byte) 7)).isZero();
        m.write(a.plus(3), (byte) 1);
        assertThat(m.firstMismatch(a, 10, (byte) 7)).isEqualTo(3);
        m.write(HeapAddr.ofOffset(8190), new byte[] {1, 2, 3});
        assertThat(m.read(HeapAddr.ofOffset(8191))).isEqualTo((byte) 2);
        assertThat(m.read(HeapAddr.ofOffset(8192))).isEqualTo((byte) 3);
        m.fill(HeapAddr.ofOffset(4096), 4096, (byte) 0);
        assertThat(m.read(HeapAddr.ofOffset(4099))).isZero();
        assertThat(m.read(HeapAddr.ofOffset(8192))).as("past the zeroed range").isEqualTo((byte) 3);
        assertThat(m.read(a)).isEqualTo((byte) 7);
    }

    @Test
    void checksumsAreFnv1a32() {
        HeapMemory m = new HeapMemory();
        HeapAddr a = HeapAddr.ofOffset(0x100);
        assertThat(m.checksum(a, 0)).isEqualTo(0x811C9DC5);
        m.write(a, "a".getBytes());
        assertThat(m.checksum(a, 1)).isEqualTo(0xE40C292C);
        m.write(a, "foobar".getBytes());
        assertThat(m.checksum(a, 6)).isEqualTo(0xBF9CF968);
        m.write(a, new byte[] {(byte) 0xFF});
        assertThat(m.checksum(a, 1)).as("bytes are unsigned").isEqualTo((0x811C9DC5 ^ 0xFF) * 0x01000193);
        assertThat(m.checksum(HeapAddr.ofOffset(0x10_0000), 1)).as("an unwritten byte is zero")
                .isEqualTo(0x811C9DC5 * 0x01000193);
    }

    @Test
    void theDigestNamesEachNonZeroPageAndACopyIsIndependent() {
        HeapMemory m = new HeapMemory();
        m.write(HeapAddr.ofOffset(2 * 4096 + 5), (byte) 1);
        m.write(HeapAddr.ofOffset(4096), (byte) 0); // a page of zeros counts as absent
        int h = 0x811C9DC5;
        for (int i = 0; i < 4096; i++) {
            h = (h ^ (i == 5 ? 1 : 0)) * 0x01000193;
        }
        assertThat(m.digest()).isEqualTo("2:" + Integer.toHexString(h) + " ");
        HeapMemory c = m.copy();
        m.write(HeapAddr.ofOffset(2 * 4096 + 5), (byte) 0);
        assertThat(m.digest()).isEmpty();
        assertThat(c.read(HeapAddr.ofOffset(2 * 4096 + 5))).isEqualTo((byte) 1);
        assertThat(c.digest()).isEqualTo("2:" + Integer.toHexString(h) + " ");
    }

    @Test
    void aHeapErrorCarriesItsKind() {
        HeapError e = HeapError.of(HeapError.Kind.BAD_CPU, "cpu %d", 7);
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.BAD_CPU);
        assertThat(e.kind()).isEqualTo("BAD_CPU");
        assertThat(e.getMessage()).isEqualTo("cpu 7");
    }
}
