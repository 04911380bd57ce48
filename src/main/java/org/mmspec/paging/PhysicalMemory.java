package org.mmspec.paging;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * Simulated physical memory that page tables live in, read and written 64 bits at a time as an
 * MMU reads page-table entries.
 *
 * <p>Encoding: a sparse map from frame number to that frame's 512 little 64-bit words. A frame
 * never written reads as all zeroes, as freshly zeroed memory, and a frame whose words are all
 * zero is not in the map, so the map is canonical: two memories with the same contents have equal
 * maps whatever their write history, and {@link #snapshot()} values compare equal exactly then.
 * Frames are copy-on-write: {@link #copy()} and {@link #snapshot()} share the word arrays, and a
 * memory clones a shared array before its first write to it ({@link #owned} lists the arrays it
 * may write in place). A model checker copies and snapshots a memory at every state, most of
 * whose frames no step touches.
 */
public final class PhysicalMemory {
    /** Bytes per entry: page-table entries on all three architectures are 64-bit. */
    public static final int WORD_BYTES = 8;
    /** 64-bit words per 4 KiB frame. */
    public static final int WORDS_PER_FRAME = (int) (PhysFrame.SIZE / WORD_BYTES);

    private final TreeMap<Long, long[]> frames = new TreeMap<>();
    /** Frames whose arrays no copy or snapshot shares: written in place. */
    private final Set<Long> owned = new HashSet<>();

    public PhysicalMemory() {
    }

    /** A deep copy (its frames shared copy-on-write). */
    public PhysicalMemory copy() {
        PhysicalMemory m = new PhysicalMemory();
        m.frames.putAll(frames);
        owned.clear();
        return m;
    }

    /**
     * Writes every frame held (its number, then its non-zero words as index and value), for a
     * state codec; a frame held with all words zero is written too.
     */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(frames.size());
        for (java.util.Map.Entry<Long, long[]> e : frames.entrySet()) {
            out.writeLong(e.getKey());
            long[] words = e.getValue();
            int nonZero = 0;
            for (long w : words) {
                nonZero += w != 0 ? 1 : 0;
            }
            out.writeShort(nonZero);
            for (int i = 0; i < words.length; i++) {
                if (words[i] != 0) {
                    out.writeShort(i);
                    out.writeLong(words[i]);
                }
            }
        }
    }

    /** The memory {@link #write} wrote, every frame in its own array. */
    public static PhysicalMemory read(java.io.DataInput in) throws java.io.IOException {
        PhysicalMemory m = new PhysicalMemory();
        m.readState(in);
        return m;
    }

    /** Replaces every frame of this memory by those {@link #write} wrote. */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        PhysicalMemory m = this;
        frames.clear();
        owned.clear();
        for (int n = in.readInt(); n > 0; n--) {
            long frame = in.readLong();
            long[] words = new long[WORDS_PER_FRAME];
            for (int k = in.readShort(); k > 0; k--) {
                words[in.readShort()] = in.readLong();
            }
            m.frames.put(frame, words);
            m.owned.add(frame);
        }
    }

    /** Reads the 64-bit word at {@code addr}, which must be 8-byte aligned. */
    public long read64(PhysAddr addr) {
        checkAligned(addr);
        long[] words = frames.get(addr.value() >>> PhysFrame.SHIFT);
        return words == null ? 0 : words[wordIndex(addr)];
    }

    /**
     * The words of frame {@code frameNumber}, or null when they are all zero: the array itself,
     * for a reader that scans a whole table without a map lookup per entry. The caller must not
     * write to it.
     */
    long[] wordsOf(long frameNumber) {
        return frames.get(frameNumber);
    }

    /** Writes the 64-bit word at {@code addr}, which must be 8-byte aligned. */
    public void write64(PhysAddr addr, long value) {
        checkAligned(addr);
        long frame = addr.value() >>> PhysFrame.SHIFT;
        long[] words = frames.get(frame);
        int i = wordIndex(addr);
        if (words == null) {
            if (value == 0) {
                return;
            }
            words = new long[WORDS_PER_FRAME];
            frames.put(frame, words);
            owned.add(frame);
        } else if (words[i] == value) {
            return;
        } else if (!owned.contains(frame)) {
            words = words.clone();
            frames.put(frame, words);
            owned.add(frame);
        }
        words[i] = value;
        if (value == 0 && allZero(words)) {
            frames.remove(frame);
            owned.remove(frame);
        }
    }

    /** Clears every byte of {@code run} (the seed's "clear pages before reuse"). */
    public void zero(FrameRange run) {
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            frames.remove(f);
            owned.remove(f);
        }
    }

    /** Whether every word of {@code frame} is zero. */
    public boolean isZero(PhysFrame frame) {
        return !frames.containsKey(frame.number());
    }

    /** Copies one frame's contents to another (copy-on-write). */
    public void copyFrame(PhysFrame from, PhysFrame to) {
        long[] words = frames.get(from.number());
        owned.remove(to.number());
        if (words == null) {
            frames.remove(to.number());
        } else {
            frames.put(to.number(), words);
            owned.remove(from.number());
        }
    }

    /** Frames holding at least one non-zero word. */
    public int nonZeroFrames() {
        return frames.size();
    }

    /** The contents as a value: equal exactly when every word is equal. */
    public Snapshot snapshot() {
        owned.clear();
        return new Snapshot(new TreeMap<>(frames));
    }

    /**
     * The frames of a memory with a non-zero word, frozen: the arrays are shared with the memory,
     * which clones before it writes again. Array hashes are cached by identity, since a frozen
     * array never changes.
     */
    public static final class Snapshot {
        /** Hashes of frozen arrays, by identity (an array's own hashCode is its identity). */
        private static final Map<long[], Integer> HASHES = Collections.synchronizedMap(new WeakHashMap<>());
        private final TreeMap<Long, long[]> frames;
        private final int hash;

        Snapshot(TreeMap<Long, long[]> frames) {
            this.frames = frames;
            int h = 1;
            for (Map.Entry<Long, long[]> e : frames.entrySet()) {
                h = 31 * h + (Long.hashCode(e.getKey()) * 17 + HASHES.computeIfAbsent(e.getValue(), Arrays::hashCode));
            }
            this.hash = h;
        }

        /** Non-zero words. */
        public int words() {
            int n = 0;
            for (long[] w : frames.values()) {
                for (long x : w) {
                    if (x != 0) {
                        n++;
                    }
                }
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Snapshot s) || s.hash != hash || s.frames.size() != frames.size()) {
                return false;
            }
            var a = frames.entrySet().iterator();
            var b = s.frames.entrySet().iterator();
            while (a.hasNext()) {
                Map.Entry<Long, long[]> x = a.next();
                Map.Entry<Long, long[]> y = b.next();
                if (!x.getKey().equals(y.getKey()) || x.getValue() != y.getValue() && !Arrays.equals(x.getValue(), y.getValue())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("{");
            int shown = 0;
            for (Map.Entry<Long, long[]> e : frames.entrySet()) {
                long[] w = e.getValue();
                for (int j = 0; j < w.length; j++) {
                    if (w[j] != 0 && shown < 16) {
                        sb.append(shown == 0 ? "" : ", ")
                                .append(String.format("0x%x=0x%x", (e.getKey() << PhysFrame.SHIFT) + (long) j * WORD_BYTES, w[j]));
                        shown++;
                    }
                }
            }
            int n = words();
            if (n > 16) {
                sb.append(", ... ").append(n).append(" words");
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
