package org.mmspec.paging;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * Simulated physical memory that page tables live in, read and written 64 bits at a time as an
 * MMU reads page-table entries.
 *
 * <p>Encoding: a sparse map from frame number to that frame's 512 little 64-bit words. A frame
 * never written reads as all zeroes, as freshly zeroed memory. Only frames that hold a non-zero
 * word matter for equality: {@link #snapshot()} lists exactly the non-zero words, so two
 * memories with the same contents have equal snapshots whatever their write history.
 */
public final class PhysicalMemory {
    /** Bytes per entry: page-table entries on all three architectures are 64-bit. */
    public static final int WORD_BYTES = 8;
    /** 64-bit words per 4 KiB frame. */
    public static final int WORDS_PER_FRAME = (int) (PhysFrame.SIZE / WORD_BYTES);

    private final TreeMap<Long, long[]> frames = new TreeMap<>();

    public PhysicalMemory() {
    }

    /** A deep copy. */
    public PhysicalMemory copy() {
        PhysicalMemory m = new PhysicalMemory();
        for (Map.Entry<Long, long[]> e : frames.entrySet()) {
            m.frames.put(e.getKey(), e.getValue().clone());
        }
        return m;
    }

    /** Reads the 64-bit word at {@code addr}, which must be 8-byte aligned. */
    public long read64(PhysAddr addr) {
        checkAligned(addr);
        long[] words = frames.get(addr.value() >>> PhysFrame.SHIFT);
        return words == null ? 0 : words[wordIndex(addr)];
    }

    /** Writes the 64-bit word at {@code addr}, which must be 8-byte aligned. */
    public void write64(PhysAddr addr, long value) {
        checkAligned(addr);
        long frame = addr.value() >>> PhysFrame.SHIFT;
        long[] words = frames.get(frame);
        if (words == null) {
            if (value == 0) {
                return;
            }
            words = new long[WORDS_PER_FRAME];
            frames.put(frame, words);
        }
        words[wordIndex(addr)] = value;
        if (value == 0 && allZero(words)) {
            frames.remove(frame);
        }
    }

    /** Clears every byte of {@code run} (the seed's "clear pages before reuse"). */
    public void zero(FrameRange run) {
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            frames.remove(f);
        }
    }

    /** Whether every word of {@code frame} is zero. */
    public boolean isZero(PhysFrame frame) {
        return !frames.containsKey(frame.number());
    }

    /** Copies one frame's contents to another (copy-on-write). */
    public void copyFrame(PhysFrame from, PhysFrame to) {
        long[] words = frames.get(from.number());
        if (words == null) {
            frames.remove(to.number());
        } else {
            frames.put(to.number(), words.clone());
        }
    }

    /** Frames holding at least one non-zero word. */
    public int nonZeroFrames() {
        return frames.size();
    }

    /** The contents as a value: equal exactly when every word is equal. */
    public Snapshot snapshot() {
        int n = 0;
        for (long[] w : frames.values()) {
            for (long x : w) {
                if (x != 0) {
                    n++;
                }
            }
        }
        long[] addrs = new long[n];
        long[] vals = new long[n];
        int i = 0;
        for (Map.Entry<Long, long[]> e : frames.entrySet()) {
            long[] w = e.getValue();
            for (int j = 0; j < w.length; j++) {
                if (w[j] != 0) {
                    addrs[i] = (e.getKey() << PhysFrame.SHIFT) + (long) j * WORD_BYTES;
                    vals[i] = w[j];
                    i++;
                }
            }
        }
        return new Snapshot(addrs, vals);
    }

    /** The non-zero words of a memory, as parallel arrays sorted by address. */
    public static final class Snapshot {
        private final long[] addrs;
        private final long[] values;
        private final int hash;

        Snapshot(long[] addrs, long[] values) {
            this.addrs = addrs;
            this.values = values;
            this.hash = 31 * Arrays.hashCode(addrs) + Arrays.hashCode(values);
        }

        public int words() {
            return addrs.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && s.hash == hash && Arrays.equals(s.addrs, addrs)
                    && Arrays.equals(s.values, values);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < addrs.length && i < 16; i++) {
                sb.append(i == 0 ? "" : ", ").append(String.format("0x%x=0x%x", addrs[i], values[i]));
            }
            if (addrs.length > 16) {
                sb.append(", ... ").append(addrs.length).append(" words");
            }
            return sb.append('}').toString();
        }
    }

    private static void checkAligned(PhysAddr addr) {
        if ((addr.value() & (WORD_BYTES - 1)) != 0) {
            throw new IllegalArgumentException("64-bit access at " + addr + " is not 8-byte aligned");
        }
    }

    private static int wordIndex(PhysAddr addr) {
        return (int) ((addr.value() & (PhysFrame.SIZE - 1)) / WORD_BYTES);
    }

    private static boolean allZero(long[] words) {
        for (long w : words) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }
}
