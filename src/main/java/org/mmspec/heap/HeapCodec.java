package org.mmspec.heap;

import static org.mmspec.check.Encoding.readEnum;
import static org.mmspec.check.Encoding.readList;
import static org.mmspec.check.Encoding.writeEnum;
import static org.mmspec.check.Encoding.writeList;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;

/**
 * Writes and reads what operations change in a {@link HeapState}, for the state codec of the heap
 * models ({@link org.mmspec.check.Encoding#overwriting}): the frame allocator's free frames and live
 * runs; then the heap's frames held, memory pages (non-zero bytes), large-object allocator, each
 * size class's slabs by list (run, free stack, free marks, checksums, list), each CPU's magazines,
 * the live allocations, checksums, corruption log, per-CPU counters and each CPU's remote-free list. Configuration, bug and the
 * frame count at start are the configuration's.
 */
final class HeapCodec {
    private HeapCodec() {
    }

    static void write(HeapState s, DataOutput out) throws IOException {
        s.frames.writeState(out);
        SlabAllocator h = s.heap;
        writeRuns(h.ledger.held, out);
        h.memory.writeState(out);
        writeLongMap(h.large.free, out);
        writeLongMap(h.large.used, out);
        writeRuns(h.large.arenas, out);
        out.writeLong(h.large.allocs);
        out.writeLong(h.large.frees);
        for (SlabCache c : h.caches) {
            for (java.util.List<Slab> list : java.util.List.of(c.partial, c.full, c.empty)) {
                writeList(list, HeapCodec::writeSlab, out);
            }
        }
        for (CpuCache[] perCpu : h.mags) {
            for (CpuCache m : perCpu) {
                out.writeInt(m.count);
                for (int i = 0; i < m.count; i++) {
                    out.writeLong(m.objs[i]);
                }
            }
        }
        writeList(java.util.List.copyOf(h.live.values()), HeapCodec::writeAllocation, out);
        out.writeInt(h.checksums.size());
        for (Map.Entry<Long, Integer> e : h.checksums.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue());
        }
        writeList(h.corruptionLog, (c, o) -> {
            writeEnum(c.kind(), o);
            o.writeLong(c.object().offset());
            o.writeLong(c.offset());
            o.writeUTF(c.detail());
        }, out);
        for (long[][] counter : new long[][][] {h.allocs, h.frees, h.hits, h.refills, h.flushes}) {
            for (long[] perCpu : counter) {
                org.mmspec.check.Encoding.writeLongs(perCpu, out);
            }
        }
        for (java.util.List<Allocation> l : s.remote) {
            writeList(l, HeapCodec::writeAllocation, out);
        }
    }

    static void read(HeapState s, DataInput in) throws IOException {
        s.frames.readState(in);
        SlabAllocator h = s.heap;
        readRuns(h.ledger.held, in);
        h.memory.readState(in);
        readLongMap(h.large.free, in);
        readLongMap(h.large.used, in);
        readRuns(h.large.arenas, in);
        h.large.allocs = in.readLong();
        h.large.frees = in.readLong();
        h.slabsByStart.clear();
        for (SizeClass cls : SizeClass.values()) {
            SlabCache c = new SlabCache(cls);
            for (java.util.List<Slab> list : java.util.List.of(c.partial, c.full, c.empty)) {
                for (Slab slab : readList(i -> readSlab(cls, i), in)) {
                    list.add(slab);
                    h.slabsByStart.put(slab.runStart(), slab);
                }
            }
            h.caches[cls.ordinal()] = c;
        }
        for (CpuCache[] perCpu : h.mags) {
            for (CpuCache m : perCpu) {
                m.count = in.readInt();
                for (int i = 0; i < m.count; i++) {
                    m.objs[i] = in.readLong();
                }
            }
        }
        h.live.clear();
        for (Allocation a : readList(HeapCodec::readAllocation, in)) {
            h.live.put(a.addr().offset(), a);
        }
        h.checksums.clear();
        for (int n = in.readInt(); n > 0; n--) {
            h.checksums.put(in.readLong(), in.readInt());
        }
        h.corruptionLog.clear();
        h.corruptionLog.addAll(readList(i -> new Corruption(readEnum(Corruption.Kind.class, i), HeapAddr.ofOffset(i.readLong()),
                i.readLong(), i.readUTF()), in));
        for (long[][] counter : new long[][][] {h.allocs, h.frees, h.hits, h.refills, h.flushes}) {
            for (long[] perCpu : counter) {
                org.mmspec.check.Encoding.fillLongs(perCpu, in);
            }
        }
        for (java.util.List<Allocation> l : s.remote) {
            l.clear();
            l.addAll(readList(HeapCodec::readAllocation, in));
        }
    }

    private static void writeRuns(TreeMap<Long, FrameRange> runs, DataOutput out) throws IOException {
        writeList(java.util.List.copyOf(runs.entrySet()), (e, o) -> {
            o.writeLong(e.getKey());
            org.mmspec.zones.ZoneCodec.writeRun(e.getValue(), o);
        }, out);
    }

    private static void readRuns(TreeMap<Long, FrameRange> runs, DataInput in) throws IOException {
        runs.clear();
        for (int n = in.readInt(); n > 0; n--) {
            runs.put(in.readLong(), org.mmspec.zones.ZoneCodec.readRun(in));
        }
    }

    private static void writeLongMap(TreeMap<Long, Long> map, DataOutput out) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<Long, Long> e : map.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    private static void readLongMap(TreeMap<Long, Long> map, DataInput in) throws IOException {
        map.clear();
        for (int n = in.readInt(); n > 0; n--) {
            map.put(in.readLong(), in.readLong());
        }
    }

    private static void writeSlab(Slab s, DataOutput out) throws IOException {
        org.mmspec.zones.ZoneCodec.writeRun(s.run, out);
        out.writeLong(s.base);
        org.mmspec.check.Encoding.writeInts(s.freeStack, out);
        out.writeInt(s.freeCount);
        org.mmspec.check.Encoding.writeBooleans(s.onFree, out);
        org.mmspec.check.Encoding.writeInts(s.checksum, out);
        writeEnum(s.list, out);
    }

    private static Slab readSlab(SizeClass cls, DataInput in) throws IOException {
        Slab s = new Slab(cls, org.mmspec.zones.ZoneCodec.readRun(in), in.readLong());
        int[] stack = org.mmspec.check.Encoding.readInts(in);
        System.arraycopy(stack, 0, s.freeStack, 0, stack.length);
        s.freeCount = in.readInt();
        boolean[] onFree = org.mmspec.check.Encoding.readBooleans(in);
        System.arraycopy(onFree, 0, s.onFree, 0, onFree.length);
        int[] checksum = org.mmspec.check.Encoding.readInts(in);
        System.arraycopy(checksum, 0, s.checksum, 0, checksum.length);
        s.list = readEnum(Slab.ListKind.class, in);
        return s;
    }

    private static void writeAllocation(Allocation a, DataOutput out) throws IOException {
        out.writeLong(a.addr().offset());
        out.writeLong(a.requested());
        org.mmspec.check.Encoding.writeNullable(a.sizeClass(), org.mmspec.check.Encoding::writeEnum, out);
        out.writeLong(a.blockBytes());
        out.writeInt(a.cpu());
        out.writeUTF(a.site().function());
        out.writeInt(a.site().line());
    }

    private static Allocation readAllocation(DataInput in) throws IOException {
        HeapAddr addr = HeapAddr.ofOffset(in.readLong());
        long requested = in.readLong();
        SizeClass cls = org.mmspec.check.Encoding.readNullable(i -> readEnum(SizeClass.class, i), in);
        long block = in.readLong();
        int cpu = in.readInt();
        return new Allocation(addr, requested, cls, block, cpu, CallSite.of(in.readUTF(), in.readInt()));
    }
}
