package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysAddr;

/**
 * The copy-on-write bookkeeping of {@link PhysicalMemory} taken one step at a time (a copy alone, a
 * snapshot alone), its state codec, and {@link PhysicalMemory.Snapshot}'s equality on contents
 * whose hashes collide: the hash is only a shortcut, never the verdict.
 */
class PhysicalMemoryMutationTest {

    private static final PhysAddr A = PhysAddr.of(0x5008);

    @Test
    void aCopyIsNotChangedByTheOriginalsNextWrite() {
        PhysicalMemory m = new PhysicalMemory();
        m.write64(A, 7);
        PhysicalMemory c = m.copy();
        m.write64(A, 8);
        assertThat(c.read64(A)).isEqualTo(7);
        assertThat(m.read64(A)).isEqualTo(8);
    }

    @Test
    void aSnapshotIsNotChangedByTheNextWrite() {
        PhysicalMemory m = new PhysicalMemory();
        m.write64(A, 7);
        PhysicalMemory.Snapshot before = m.snapshot();
        m.write64(A, 8);
        assertThat(before).hasToString("{0x5008=0x7}");
        PhysicalMemory seven = new PhysicalMemory();
        seven.write64(A, 7);
        assertThat(before).isEqualTo(seven.snapshot());
    }

    private static PhysicalMemory roundTrip(PhysicalMemory m, PhysicalMemory into) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        m.write(out);
        out.writeInt(0x7e57); // whatever follows the memory in a state stays unread
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        if (into == null) {
            into = PhysicalMemory.read(in);
        } else {
            into.readState(in);
        }
        assertThat(in.readInt()).isEqualTo(0x7e57);
        return into;
    }

    /** The codec writes every non-zero word of every frame, first and last word and negative values included. */
    @Test
    void theCodecReadsBackEveryWord() throws IOException {
        PhysicalMemory m = new PhysicalMemory();
        m.write64(PhysAddr.of(0x1000), 1);
        m.write64(PhysAddr.of(0x1ff8), -2);
        m.write64(PhysAddr.of(0x3010), 0xBA_DC0D_E081L);
        PhysicalMemory back = roundTrip(m, null);
        assertThat(back.snapshot()).isEqualTo(m.snapshot());
        assertThat(back.read64(PhysAddr.of(0x1ff8))).isEqualTo(-2);
        assertThat(back.nonZeroFrames()).isEqualTo(2);
        // Read into a memory that held other frames: only what was written is left, and it is its own.
        PhysicalMemory other = new PhysicalMemory();
        other.write64(PhysAddr.of(0x9000), 9);
        PhysicalMemory replaced = roundTrip(m, other);
        assertThat(replaced).isSameAs(other);
        assertThat(replaced.snapshot()).isEqualTo(m.snapshot());
        assertThat(replaced.read64(PhysAddr.of(0x9000))).isZero();
        replaced.write64(PhysAddr.of(0x1000), 5);
        assertThat(m.read64(PhysAddr.of(0x1000))).isEqualTo(1);
        assertThat(roundTrip(new PhysicalMemory(), null).nonZeroFrames()).isZero();
    }

    /** One frame's words whose array hashes are equal: 31 * w[510] + w[511] is the same. */
    private static long[] words(long w510, long w511) {
        long[] w = new long[PhysicalMemory.WORDS_PER_FRAME];
        w[510] = w510;
        w[511] = w511;
        return w;
    }

    private static PhysicalMemory.Snapshot snapshot(long frame, long[] words) {
        TreeMap<Long, long[]> frames = new TreeMap<>();
        frames.put(frame, words);
        return new PhysicalMemory.Snapshot(frames);
    }

    @Test
    void snapshotsWithCollidingHashesAreComparedWordByWord() {
        PhysicalMemory.Snapshot a = snapshot(3, words(1, 0));
        PhysicalMemory.Snapshot b = snapshot(3, words(0, 31));
        assertThat(a.hashCode()).as("the collision this test needs").isEqualTo(b.hashCode());
        assertThat(a).isNotEqualTo(b);
        assertThat(a).isEqualTo(snapshot(3, words(1, 0)));
    }

    /** Frames 0 and 62 against frames 1 and 31, with the same two arrays: the same hash, other frames. */
    @Test
    void snapshotsWithCollidingHashesCompareFrameNumbers() {
        long[] x = words(1, 2);
        long[] y = words(3, 4);
        TreeMap<Long, long[]> f1 = new TreeMap<>();
        f1.put(0L, x);
        f1.put(62L, y);
        TreeMap<Long, long[]> f2 = new TreeMap<>();
        f2.put(1L, x);
        f2.put(31L, y);
        PhysicalMemory.Snapshot s1 = new PhysicalMemory.Snapshot(f1);
        PhysicalMemory.Snapshot s2 = new PhysicalMemory.Snapshot(f2);
        assertThat(s1.hashCode()).as("the collision this test needs").isEqualTo(s2.hashCode());
        assertThat(s1).isNotEqualTo(s2);
    }

    /** The hash separates states that differ only in which frames hold the same word (the explorer's visited set relies on it). */
    @Test
    void snapshotHashesSeparateFrameNumbers() {
        Set<Integer> singles = new HashSet<>();
        Set<Integer> pairs = new HashSet<>();
        int n = 20;
        for (long a = 0; a < n; a++) {
            PhysicalMemory m = new PhysicalMemory();
            m.write64(PhysAddr.of(a << 12), 1);
            singles.add(m.snapshot().hashCode());
            for (long b = a + 1; b < n; b++) {
                PhysicalMemory p = new PhysicalMemory();
                p.write64(PhysAddr.of(a << 12), 1);
                p.write64(PhysAddr.of(b << 12), 1);
                pairs.add(p.snapshot().hashCode());
            }
        }
        assertThat(singles).hasSize(n);
        assertThat(pairs).hasSize(n * (n - 1) / 2);
    }

    /** A snapshot with one frame more whose hash collides: sizes differ, so the snapshots differ, either way round. */
    @Test
    void snapshotsWithCollidingHashesCompareSizes() {
        long[] x = words(1, 2);
        int target = -947 - 30 * java.util.Arrays.hashCode(x);
        long[] y = new long[PhysicalMemory.WORDS_PER_FRAME];
        y[PhysicalMemory.WORDS_PER_FRAME - 1] = Integer.toUnsignedLong(target - java.util.Arrays.hashCode(new long[PhysicalMemory.WORDS_PER_FRAME]));
        TreeMap<Long, long[]> one = new TreeMap<>();
        one.put(0L, x);
        TreeMap<Long, long[]> two = new TreeMap<>(one);
        two.put(1L, y);
        PhysicalMemory.Snapshot a = new PhysicalMemory.Snapshot(one);
        PhysicalMemory.Snapshot b = new PhysicalMemory.Snapshot(two);
        assertThat(a.hashCode()).as("the collision this test needs").isEqualTo(b.hashCode());
        assertThat(a.equals(b)).isFalse();
        assertThat(b.equals(a)).isFalse();
    }

    /** Up to 16 non-zero words are all shown; the count follows only past 16. */
    @Test
    void snapshotsShowSixteenWordsWithoutACount() {
        PhysicalMemory m = new PhysicalMemory();
        for (int i = 0; i < 16; i++) {
            m.write64(PhysAddr.of(0x1000 + 8L * i), i + 1);
        }
        assertThat(m.snapshot().toString()).endsWith(", 0x1078=0x10}").doesNotContain("...");
    }
}
