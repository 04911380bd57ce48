package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;

/**
 * One slab's layout (object addresses, the index of an interior offset, its LIFO free list and
 * the list its counts call for), a class's three lists, and a per-CPU cache's stack discipline.
 */
class SlabLayoutTest {

    /** A 2 KiB slab in frame 20: objects at 0x14000 and 0x14800. */
    private static Slab slab2K() {
        return new Slab(SizeClass.B2K, FrameRange.of(20, 1), 20 * 4096);
    }

    @Test
    void objectsFollowTheBaseAtClassStrides() {
        Slab s = new Slab(SizeClass.B64, FrameRange.of(5, 1), 5 * 4096);
        assertThat(s.capacity).isEqualTo(64);
        assertThat(s.object(0)).isEqualTo(0x5000);
        assertThat(s.object(1)).isEqualTo(0x5040);
        assertThat(s.object(63)).isEqualTo(0x5FC0);
        assertThat(s.runStart()).isEqualTo(0x5000);
        assertThat(s.runEnd()).isEqualTo(0x6000);
    }

    @Test
    void indexOfMapsEveryByteOfAnObjectToItAndRejectsBytesOutsideTheObjects() {
        Slab s = slab2K();
        long base = 20 * 4096;
        assertThat(s.indexOf(base - 1)).isEqualTo(-1);
        assertThat(s.indexOf(base)).isEqualTo(0);
        assertThat(s.indexOf(base + 2047)).isEqualTo(0);
        assertThat(s.indexOf(base + 2048)).isEqualTo(1);
        assertThat(s.indexOf(base + 4095)).isEqualTo(1);
        assertThat(s.indexOf(base + 4096)).isEqualTo(-1);
    }

    @Test
    void aSlidSlabsObjectsStartAtItsBaseNotItsRun() {
        // A 16 KiB slab whose run starts at frame 17 slides its objects up to frame 20.
        Slab s = new Slab(SizeClass.B16K, FrameRange.of(17, 11), 20 * 4096);
        assertThat(s.runStart()).isEqualTo(17 * 4096);
        assertThat(s.runEnd()).isEqualTo(28 * 4096);
        assertThat(s.indexOf(17 * 4096)).isEqualTo(-1);
        assertThat(s.indexOf(20 * 4096)).isEqualTo(0);
        assertThat(s.object(1)).isEqualTo(24 * 4096);
        assertThat(s.indexOf(28 * 4096 - 1)).isEqualTo(1);
    }

    @Test
    void aFreshSlabHandsOutObjectsInRisingOrderAndTakesThemBackLifo() {
        Slab s = new Slab(SizeClass.B1K, FrameRange.of(3, 1), 3 * 4096);
        assertThat(s.freeCount).isEqualTo(4);
        assertThat(s.inUse()).isZero();
        assertThat(s.expectedList()).isEqualTo(Slab.ListKind.EMPTY);
        assertThat(s.list).isEqualTo(Slab.ListKind.EMPTY);
        assertThat(s.pop()).isEqualTo(0);
        assertThat(s.onFree[0]).isFalse();
        assertThat(s.onFree[1]).isTrue();
        assertThat(s.inUse()).isEqualTo(1);
        assertThat(s.expectedList()).isEqualTo(Slab.ListKind.PARTIAL);
        assertThat(s.pop()).isEqualTo(1);
        assertThat(s.pop()).isEqualTo(2);
        assertThat(s.pop()).isEqualTo(3);
        assertThat(s.freeCount).isZero();
        assertThat(s.expectedList()).isEqualTo(Slab.ListKind.FULL);
        s.push(2);
        assertThat(s.onFree[2]).isTrue();
        assertThat(s.expectedList()).isEqualTo(Slab.ListKind.PARTIAL);
        s.push(0);
        assertThat(s.pop()).as("last in, first out").isEqualTo(0);
        assertThat(s.describe()).isEqualTo("1K@3000 EMPTY free[2]/4");
    }

    @Test
    void describeListsTheFreeStackBottomToTop() {
        Slab s = slab2K();
        assertThat(s.describe()).isEqualTo("2K@14000 EMPTY free[1,0]/2");
        s.pop();
        s.pop();
        assertThat(s.describe()).isEqualTo("2K@14000 EMPTY free[]/2");
    }

    @Test
    void aCopyIsIndependent() {
        Slab s = slab2K();
        Slab c = s.copy();
        s.pop();
        s.list = Slab.ListKind.PARTIAL;
        assertThat(c.freeCount).isEqualTo(2);
        assertThat(c.onFree).containsExactly(true, true);
        assertThat(c.list).isEqualTo(Slab.ListKind.EMPTY);
        assertThat(c.base).isEqualTo(s.base);
        assertThat(c.run).isEqualTo(s.run);
        c.pop();
        c.pop();
        assertThat(s.freeCount).isEqualTo(1);
        assertThat(s.freeStack[0]).isEqualTo(1);
    }

    @Test
    void relistMovesASlabToTheListItsCountsCallFor() {
        SlabCache sc = new SlabCache(SizeClass.B2K);
        Slab s = slab2K();
        sc.empty.add(s);
        assertThat(sc.totalObjects()).isEqualTo(2);
        assertThat(sc.freeObjects()).isEqualTo(2);
        s.pop();
        sc.relist(s);
        assertThat(sc.partial).containsExactly(s);
        assertThat(sc.empty).isEmpty();
        assertThat(s.list).isEqualTo(Slab.ListKind.PARTIAL);
        sc.relist(s); // already there: nothing moves
        assertThat(sc.partial).containsExactly(s);
        s.pop();
        sc.relist(s);
        assertThat(sc.full).containsExactly(s);
        assertThat(sc.partial).isEmpty();
        assertThat(sc.list(Slab.ListKind.FULL)).isSameAs(sc.full);
        assertThat(sc.list(Slab.ListKind.PARTIAL)).isSameAs(sc.partial);
        assertThat(sc.list(Slab.ListKind.EMPTY)).isSameAs(sc.empty);
        assertThat(sc.freeObjects()).isZero();
        assertThat(sc.totalObjects()).isEqualTo(2);
        Slab t = new Slab(SizeClass.B2K, FrameRange.of(21, 1), 21 * 4096);
        sc.empty.add(t);
        assertThat(sc.all()).containsExactly(s, t);
        assertThat(sc.freeObjects()).isEqualTo(2);
        assertThat(sc.totalObjects()).isEqualTo(4);
    }

    @Test
    void aPerCpuCacheIsAStackWhoseFlushTakesTheColdestFromTheBottom() {
        CpuCache m = new CpuCache(4);
        assertThat(m.isFull()).isFalse();
        m.push(10);
        m.push(20);
        m.push(30);
        assertThat(m.isFull()).isFalse();
        m.push(40);
        assertThat(m.isFull()).isTrue();
        assertThat(m.contains(10)).isTrue();
        assertThat(m.contains(40)).isTrue();
        assertThat(m.contains(50)).isFalse();
        CpuCache copy = m.copy();
        assertThat(m.takeBottom(3)).containsExactly(10, 20, 30);
        assertThat(m.count).isEqualTo(1);
        assertThat(m.objs[0]).isEqualTo(40);
        assertThat(m.contains(10)).as("beyond count").isFalse();
        assertThat(m.pop()).isEqualTo(40);
        assertThat(m.count).isZero();
        assertThat(copy.count).isEqualTo(4);
        assertThat(copy.objs).containsExactly(10, 20, 30, 40);
        assertThat(copy.pop()).isEqualTo(40);
        assertThat(copy.pop()).isEqualTo(30);
    }
}
