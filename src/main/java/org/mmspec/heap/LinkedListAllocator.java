package org.mmspec.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * The seed's large-object allocator for requests over 16 KiB: "linked list allocator with
 * first-fit strategy, coalescing of adjacent free blocks".
 *
 * <p>Encoding. Memory comes in <em>arenas</em>, frame runs drawn from the frame allocator
 * ({@code arenas}: heap offset of the run's first byte to the run). The free list is the sorted
 * map {@code free}: block start to length, in heap offsets; the kernel threads it through the
 * free blocks themselves, the model keeps it outside so that an overflow test cannot corrupt the
 * allocator's own structure. {@code used} maps each allocated block's start to its length. All
 * lengths are multiples of {@link #GRANULE}.
 *
 * <p>Allocation is first fit: the lowest-addressed free block at least as long as the request is
 * split, the request taking its front. When none fits, a new arena of
 * {@code ceil(length / 4096)} frames is drawn and inserted as a free block (coalescing with a
 * neighbour if the frames happen to be adjacent), then first fit runs again. Freeing inserts the
 * block and coalesces with both neighbours, so no two free blocks ever touch (LARGE-2); then any
 * arena that a free block now covers entirely is cut out of the free list and returned to the
 * frame allocator (LARGE-5). Invariants: LARGE-1..LARGE-5 in {@link HeapInvariants}.
 */
final class LinkedListAllocator {
    /** Large blocks are multiples of 64 bytes, a cache line, so their starts are cache-line aligned. */
    static final long GRANULE = 64;

    final TreeMap<Long, Long> free = new TreeMap<>();
    final TreeMap<Long, Long> used = new TreeMap<>();
    final TreeMap<Long, FrameRange> arenas = new TreeMap<>();
    long allocs;
    long frees;

    LinkedListAllocator copy() {
        LinkedListAllocator c = new LinkedListAllocator();
        c.free.putAll(free);
        c.used.putAll(used);
        c.arenas.putAll(arenas);
        c.allocs = allocs;
        c.frees = frees;
        return c;
    }

    static long blockFor(long bytes) {
        return (bytes + GRANULE - 1) / GRANULE * GRANULE;
    }

    /** First fit; draws a new arena through {@code ledger} when nothing fits. Throws OUT_OF_MEMORY with nothing changed. */
    long allocate(long length, FrameLedger ledger, Bug bug) {
        Long at = firstFit(length);
        if (at == null) {
            long frames = (length + PhysFrame.SIZE - 1) / PhysFrame.SIZE;
            FrameRange run = ledger.take(frames);
            long start = run.start().number() * PhysFrame.SIZE;
            arenas.put(start, run);
            insertFree(start, run.bytes(), bug);
            at = firstFit(length);
        }
        long blockLen = free.remove(at);
        if (blockLen > length) {
            free.put(at + length, blockLen - length);
        }
        used.put(at, length);
        allocs++;
        return at;
    }

    private Long firstFit(long length) {
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            if (e.getValue() >= length) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Frees the used block at {@code start}; the caller has checked it is one. */
    void free(long start, FrameLedger ledger, Bug bug) {
        long length = used.remove(start);
        frees++;
        long[] block = insertFree(start, length, bug);
        releaseCoveredArenas(block[0], block[1], ledger);
    }

    /** Inserts {@code [start, start+length)} into the free list, coalescing; returns the merged block. */
    private long[] insertFree(long start, long length, Bug bug) {
        long s = start;
        long len = length;
        if (bug != Bug.NO_COALESCE) {
            Map.Entry<Long, Long> lower = free.floorEntry(s);
            if (lower != null && lower.getKey() + lower.getValue() == s) {
                free.remove(lower.getKey());
                s = lower.getKey();
                len += lower.getValue();
            }
            Long nextLen = free.get(s + len);
            if (nextLen != null) {
                free.remove(s + len);
                len += nextLen;
            }
        }
        free.put(s, len);
        return new long[] {s, len};
    }

    /** Cuts every arena lying wholly inside free block {@code [s, s+len)} out of it and returns its frames. */
    private void releaseCoveredArenas(long s, long len, FrameLedger ledger) {
        List<Long> covered = new ArrayList<>();
        for (Map.Entry<Long, FrameRange> a : arenas.subMap(s, true, s + len, false).entrySet()) {
            if (a.getKey() + a.getValue().bytes() <= s + len) {
                covered.add(a.getKey());
            }
        }
        if (covered.isEmpty()) {
            return;
        }
        free.remove(s);
        long cursor = s;
        for (long a : covered) {
            FrameRange run = arenas.remove(a);
            if (a > cursor) {
                free.put(cursor, a - cursor);
            }
            cursor = a + run.bytes();
            ledger.give(run);
        }
        if (s + len > cursor) {
            free.put(cursor, s + len - cursor);
        }
    }

    /** The used block containing {@code off}: its start, or -1. */
    long usedContaining(long off) {
        Map.Entry<Long, Long> e = used.floorEntry(off);
        return e != null && off < e.getKey() + e.getValue() ? e.getKey() : -1;
    }

    /** The free block containing {@code off}: its start, or -1. */
    long freeContaining(long off) {
        Map.Entry<Long, Long> e = free.floorEntry(off);
        return e != null && off < e.getKey() + e.getValue() ? e.getKey() : -1;
    }

    long managedBytes() {
        long n = 0;
        for (FrameRange r : arenas.values()) {
            n += r.bytes();
        }
        return n;
    }

    static long sum(Map<Long, Long> m) {
        long n = 0;
        for (long v : m.values()) {
            n += v;
        }
        return n;
    }

    String describe() {
        return "arenas" + keysHex(arenas) + " free" + blocksHex(free) + " used" + blocksHex(used);
    }

    private static String keysHex(TreeMap<Long, FrameRange> m) {
        StringBuilder sb = new StringBuilder("[");
        for (Map.Entry<Long, FrameRange> e : m.entrySet()) {
            sb.append(sb.length() > 1 ? " " : "").append(Long.toHexString(e.getKey())).append('+').append(e.getValue().count()).append('f');
        }
        return sb.append(']').toString();
    }

    static String blocksHex(Map<Long, Long> m) {
        StringBuilder sb = new StringBuilder("[");
        for (Map.Entry<Long, Long> e : m.entrySet()) {
            sb.append(sb.length() > 1 ? " " : "").append(Long.toHexString(e.getKey())).append('+').append(Long.toHexString(e.getValue()));
        }
        return sb.append(']').toString();
    }
}
