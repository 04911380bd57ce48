package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * The hardware's paging-structure caches, next to the TLB: a {@link TlbFlushSink} that passes
 * every flush and every freed table on to the sink it wraps and, on the way, models what the CPUs
 * may have cached about the <em>intermediate</em> levels of the tree, and what becomes of a table
 * frame once it is freed. It is the hardware side of PTL-1 and PTL-2 ({@code spec/paging.md},
 * "The page-table lifecycle").
 *
 * <p>Encoding: one paging-structure cache entry per {@code (depth, first VA of the region)}: "a
 * walk of any address in this region continues at the table at {@code depth} in frame
 * {@code table}" (Intel SDM Vol. 3A §4.10.3, the PML4E/PDPTE/PDE caches; the Arm ARM's walk
 * cache; the RISC-V privileged specification's caching of non-leaf PTEs, §4.2.1 on SFENCE.VMA).
 * The region is what the pointing entry covers, {@code 2^indexShift(depth - 1)} bytes. The
 * entries stand for every CPU at once: a CPU may walk any address at any time (speculation
 * included) and keep what it read until an invalidation reaches it, and the sink's flush
 * completes on every CPU before it returns, so the union over CPUs is one set. {@link #fill}
 * adds everything reachable from the roots (the worst case); the checks call it at every state.
 * {@link #freedWhileCached} records each table run that went back to the allocator while a cache
 * entry still pointed into it (sticky, so a flush that comes too late is still reported).
 *
 * <p>Invalidation, the weakest each architecture allows for what the mapper changed: a flush for
 * a changed leaf ({@code UNMAP}, {@code PROTECT}, {@code REMAP}, {@code SPLIT}) drops only leaf
 * translations, which this class does not model, and keeps every paging-structure entry (AArch64
 * {@code TLBI VALE1IS} invalidates the last level only; RISC-V {@code SFENCE.VMA} with an address
 * orders only leaf PTE accesses). A {@code TABLE_FREED} flush drops every entry whose region
 * overlaps its range, and a full flush drops everything.
 *
 * <p>Frame reuse: a freed table frame goes to its next owner at once, and that owner writes into
 * it: {@link #freeTable} leaves {@link #LEFTOVER} in the last word of every frame of the run
 * (after the wrapped sink freed it, so this is right only for a sink that frees at once, as
 * {@link TlbFlushSink#NONE} and {@link TlbFlushSink.Recording} do), and {@link #scribble} does the
 * same to every free frame before a check starts. A mapper that links a table without zeroing it
 * then links the previous owner's word, which PTL-1 reports.
 */
public final class PagingStructureCaches implements TlbFlushSink {

    /**
     * The word a table frame's previous owner leaves in the last word of every frame: present on
     * every format (bit 0), read-only (x86 RW and RISC-V R/W clear, AArch64 AP[2] set), with an
     * output address (0xBA_DC0D_E000) outside every checked scope, so the mapper never writes it.
     */
    public static final long LEFTOVER = 0x0000_00BA_DC0D_E081L;

    /** Byte offset of the word {@link #LEFTOVER} is left in, within each 4 KiB frame. */
    static final long LEFTOVER_OFFSET = PhysFrame.SIZE - PhysicalMemory.WORD_BYTES;

    /** One paging-structure cache entry: walks of {@code [va, va + span)} continue at {@code table}. */
    record Cached(int depth, long va, long span, long table) {
        boolean overlaps(long start, long bytes) {
            if (bytes == 0) {
                return false; // an empty range: start - 1 would wrap to the whole space
            }
            long last = va + span - 1;
            long flushLast = start + bytes - 1;
            return Long.compareUnsigned(va, flushLast) <= 0 && Long.compareUnsigned(start, last) <= 0;
        }

        @Override
        public String toString() {
            return String.format("depth %d for 0x%016x+0x%x -> table frame#%d", depth, va, span, table);
        }
    }

    private final TlbFlushSink next;
    private final PhysicalMemory memory;
    /** Keyed by depth, then first VA of the region (as unsigned). */
    private final TreeMap<List<Long>, Cached> entries = new TreeMap<>(PagingStructureCaches::compareKeys);
    private final List<String> freedWhileCached = new ArrayList<>();

    /**
     * Caches in front of {@code next}, leaving {@link #LEFTOVER} in freed table frames of {@code memory}.
     *
     * @param next the sink that performs the flushes and frees ({@link TlbFlushSink#NONE} on one CPU)
     * @param memory where the tables live
     */
    public PagingStructureCaches(TlbFlushSink next, PhysicalMemory memory) {
        this.next = next;
        this.memory = memory;
    }

    /** Writes the cached entries and the frees seen while cached, for a state codec. */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(entries.size());
        for (Cached c : entries.values()) {
            out.writeInt(c.depth());
            out.writeLong(c.va());
            out.writeLong(c.span());
            out.writeLong(c.table());
        }
        org.mmspec.check.Encoding.writeList(freedWhileCached, (s, o) -> o.writeUTF(s), out);
    }

    /** Reads what {@link #write} wrote into these caches (empty ones). */
    public void read(java.io.DataInput in) throws java.io.IOException {
        for (int n = in.readInt(); n > 0; n--) {
            Cached c = new Cached(in.readInt(), in.readLong(), in.readLong(), in.readLong());
            entries.put(List.of((long) c.depth(), c.va()), c);
        }
        freedWhileCached.addAll(org.mmspec.check.Encoding.readList(java.io.DataInput::readUTF, in));
    }

    /** A copy of these caches over {@code memoryCopy}, in front of {@code nextCopy}. */
    public PagingStructureCaches copy(TlbFlushSink nextCopy, PhysicalMemory memoryCopy) {
        PagingStructureCaches c = new PagingStructureCaches(nextCopy, memoryCopy);
        c.entries.putAll(entries);
        c.freedWhileCached.addAll(freedWhileCached);
        return c;
    }

    /** Every CPU walks everything reachable from {@code mapper}'s roots and caches each pointer it follows. */
    public void fill(PageMapper mapper) {
        PteFormat f = mapper.format();
        TreeScan.scan(mapper, new TreeScan.Visitor() {
            @Override
            public void table(int depth, long va, PhysAddr at, long raw, Entry e) {
                Cached c = new Cached(depth + 1, va, 1L << f.indexShift(depth), e.address().value() >>> PhysFrame.SHIFT);
                entries.put(List.of((long) c.depth(), c.va()), c);
            }
        });
    }

    @Override
    public void flush(TlbFlush flush) {
        next.flush(flush);
        if (flush.full()) {
            entries.clear();
        } else if (flush.reason() == TlbFlush.Reason.TABLE_FREED) {
            entries.values().removeIf(c -> c.overlaps(flush.start().value(), flush.bytes()));
        }
    }

    @Override
    public void freeTable(FrameRange run, FrameAllocator allocator) {
        for (Cached c : entries.values()) {
            if (c.table() >= run.start().number() && c.table() < run.endNumber()) {
                freedWhileCached.add("table " + run + " was freed while a paging-structure cache entry (" + c
                        + ") still pointed at it");
            }
        }
        next.freeTable(run, allocator);
        scribbleRun(memory, run);
    }

    /** The cache entries, by depth and region. */
    public List<Cached> entries() {
        return List.copyOf(entries.values());
    }

    /** Every table run freed while a cache entry pointed into it, in order. */
    public List<String> freedWhileCached() {
        return List.copyOf(freedWhileCached);
    }

    /** The caches as a value, for state keys. */
    public Object stateKey() {
        return List.of(new ArrayList<>(entries.values()), List.copyOf(freedWhileCached));
    }

    /**
     * The previous owners of every frame of {@code frames} that {@code allocator} holds as free:
     * each frame gets {@link #LEFTOVER} in its last word. A check calls this before the mapper
     * takes its roots.
     */
    public static void scribble(PhysicalMemory memory, FrameRange frames, FrameAllocator allocator) {
        for (long f = frames.start().number(); f < frames.endNumber(); f++) {
            if (allocator.isFree(PhysFrame.of(f))) {
                scribbleRun(memory, FrameRange.of(f, 1));
            }
        }
    }

    /** Whether {@code frame} still holds the word its previous owner left. */
    public static boolean holdsLeftover(PhysicalMemory memory, PhysFrame frame) {
        return memory.read64(frame.start().plus(LEFTOVER_OFFSET)) == LEFTOVER;
    }

    private static void scribbleRun(PhysicalMemory memory, FrameRange run) {
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            memory.write64(PhysFrame.of(f).start().plus(LEFTOVER_OFFSET), LEFTOVER);
        }
    }

    private static int compareKeys(List<Long> a, List<Long> b) {
        int c = Long.compare(a.get(0), b.get(0));
        return c != 0 ? c : Long.compareUnsigned(a.get(1), b.get(1));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("paging-structure caches:");
        for (Map.Entry<List<Long>, Cached> e : entries.entrySet()) {
            sb.append("\n  ").append(e.getValue());
        }
        for (String s : freedWhileCached) {
            sb.append("\n  ").append(s);
        }
        return sb.toString();
    }
}
