package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * What the frame table itself promises, one fact per test: zeroing before reuse, the deep copy,
 * the state codec's round trip, the names of shared anonymous objects, the test hooks and the
 * printed form. The stateful suites reach these only through whole-system operations.
 */
class FrameTableMutationTest {
    private static final int FRAMES = 16;

    private final FrameTable table = new FrameTable(FrameRange.of(0, FRAMES), VmSystem.Bug.NONE);

    @Test
    void aFreedFrameHandedOutAgainIsZeroedButStillHoldsItsOldWordUntilThen() {
        PhysFrame f = table.allocateZeroed();
        table.write(f, 0x5ec);
        assertThat(table.read(f)).isEqualTo(0x5ec);
        table.release(f);
        assertThat(table.isFree(f)).isTrue();
        assertThat(table.read(f)).as("RAM keeps stale contents after the free").isEqualTo(0x5ec);
        PhysFrame again = table.allocateZeroed();
        assertThat(again).as("first fit hands out the same frame").isEqualTo(f);
        assertThat(table.read(again)).isZero();
        assertThat(table.refCount(again)).isEqualTo(1);
    }

    @Test
    void withSkipZeroingTheOldWordReachesTheNewOwner() {
        FrameTable buggy = new FrameTable(FrameRange.of(0, FRAMES), VmSystem.Bug.SKIP_ZEROING);
        PhysFrame f = buggy.allocateZeroed();
        buggy.write(f, 0x5ec);
        buggy.release(f);
        assertThat(buggy.read(buggy.allocateZeroed())).isEqualTo(0x5ec);
    }

    @Test
    void aCopyHasTheSameCountsCacheAndObjectsAndIsIndependent() {
        PhysFrame a = table.allocateZeroed();
        PhysFrame b = table.allocateZeroed();
        table.share(a);
        String shmem = table.newShmemName();
        table.objectPages(shmem, 1);
        table.insertCached(shmem, 0, b);
        table.write(a, 7);

        FrameTable c = table.copy();
        assertThat(c.refs()).isEqualTo(Map.of(a.number(), 2, b.number(), 2));
        assertThat(c.cachedFrames()).containsExactly(b.number());
        assertThat(c.cached(shmem, 0)).contains(b);
        assertThat(c.read(a)).isEqualTo(7);
        assertThat(c.key()).isNotNull().isEqualTo(table.key());
        assertThat(c.managed()).isEqualTo(FrameRange.of(0, FRAMES));
        assertThat(c.newShmemName()).as("the object counter is copied").isEqualTo(FrameTable.SHMEM_PREFIX + 2);

        // The object dies in the copy only: its cached page's reference goes there alone.
        c.objectPages(shmem, -1);
        assertThat(c.cachedFrames()).isEmpty();
        assertThat(c.refCount(b)).isEqualTo(1);
        assertThat(table.refCount(b)).isEqualTo(2);
        assertThat(table.cachedFrames()).containsExactly(b.number());
        assertThat(c.key()).isNotEqualTo(table.key());
    }

    @Test
    void shmemNamesCountUpFromOne() {
        assertThat(table.newShmemName()).isEqualTo("/dev/zero (deleted)#1");
        assertThat(table.newShmemName()).isEqualTo("/dev/zero (deleted)#2");
    }

    @Test
    void theKeySeesAWordWrittenToAFreeFrame() {
        Object before = table.key();
        assertThat(before).isNotNull();
        table.corruptMemory(PhysFrame.of(3), 1);
        assertThat(table.key()).isNotEqualTo(before);
    }

    @Test
    void theStateCodecRoundTripsEverythingAnOperationChanges() throws IOException {
        PhysFrame a = table.allocateZeroed();
        table.write(a, 0x11);
        table.share(a);
        PhysFrame b = table.allocateZeroed();
        String shmem = table.newShmemName();
        table.objectPages(shmem, 3);
        table.insertCached(shmem, 2, b);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table.writeState(new DataOutputStream(bytes));
        // Read over a table of the same configuration that holds other state: all of it is replaced.
        FrameTable other = new FrameTable(FrameRange.of(0, FRAMES), VmSystem.Bug.NONE);
        PhysFrame stray = other.allocateZeroed();
        other.allocateZeroed();
        other.allocateZeroed();
        other.write(stray, 0x99);
        other.insertCached("/x", 0, stray);
        other.objectPages("/x", 5);
        other.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(other.key()).isEqualTo(table.key());
        assertThat(other.refs()).isEqualTo(Map.of(a.number(), 2, b.number(), 2));
        assertThat(other.allocator().freeFrames()).isEqualTo(FRAMES - 2);
        assertThat(other.read(a)).isEqualTo(0x11);
        assertThat(other.cached(shmem, 2)).contains(b);
        assertThat(other.cached("/x", 0)).isEmpty();
        assertThat(other.newShmemName()).isEqualTo(FrameTable.SHMEM_PREFIX + 2);
        // The object pages came along: two fewer pages leave the object alive, one more kills it.
        other.objectPages(shmem, -2);
        assertThat(other.cachedFrames()).containsExactly(b.number());
        other.objectPages(shmem, -1);
        assertThat(other.cachedFrames()).isEmpty();
    }

    @Test
    void theLeakHookTakesAFrameNobodyCounts() {
        PhysFrame leaked = table.corruptLeak();
        assertThat(leaked).isNotNull();
        assertThat(table.isFree(leaked)).isFalse();
        assertThat(table.refCount(leaked)).isZero();
        assertThat(table.allocator().freeFrames()).isEqualTo(FRAMES - 1);
    }

    @Test
    void printsTheCountsAndTheFreeFrames() {
        PhysFrame f = table.allocateZeroed();
        table.share(f);
        assertThat(table).hasToString("frames{refs={" + f.number() + "=2}, free=" + (FRAMES - 1) + "}");
    }
}
