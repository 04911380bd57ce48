package org.mmspec.pcp;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes and reads what operations change in a {@link PcpAllocator}, for the state codec of
 * {@code models/pcp-percpu} ({@link org.mmspec.check.Encoding#overwriting}): per node its pool and
 * five counters; per CPU its cached frames (in stack order) and six counters; each frame's place;
 * the last out-of-memory witness (a presence byte first). Topology, batch sizes and bug are the
 * configuration's.
 */
final class PcpAllocatorCodec {
    private PcpAllocatorCodec() {
    }

    static void write(PcpAllocator a, DataOutput out) throws IOException {
        for (NodeFrames n : a.nodes()) {
            if (n.pool != null) {
                n.pool.writeState(out);
            }
            for (long v : new long[] {n.refills, n.drains, n.direct, n.remoteFrees, n.pressureDrains}) {
                out.writeLong(v);
            }
        }
        for (CpuCache c : a.cpus()) {
            out.writeInt(c.count);
            for (int i = 0; i < c.count; i++) {
                out.writeLong(c.frames[i]);
            }
            for (long v : new long[] {c.allocs, c.frees, c.hits, c.refills, c.drains, c.pressureDrains}) {
                out.writeLong(v);
            }
        }
        int[] place = a.places();
        org.mmspec.check.Encoding.writeInts(place, out);
        org.mmspec.check.Encoding.writeNullable(a.lastOom().orElse(null), (w, o) -> {
            o.writeInt(w.cpu());
            o.writeInt(w.requested());
            o.writeLong(w.available());
        }, out);
    }

    static void read(PcpAllocator a, DataInput in) throws IOException {
        for (NodeFrames n : a.nodes()) {
            if (n.pool != null) {
                n.pool.readState(in);
            }
            n.refills = in.readLong();
            n.drains = in.readLong();
            n.direct = in.readLong();
            n.remoteFrees = in.readLong();
            n.pressureDrains = in.readLong();
        }
        for (CpuCache c : a.cpus()) {
            c.count = in.readInt();
            for (int i = 0; i < c.count; i++) {
                c.frames[i] = in.readLong();
            }
            c.allocs = in.readLong();
            c.frees = in.readLong();
            c.hits = in.readLong();
            c.refills = in.readLong();
            c.drains = in.readLong();
            c.pressureDrains = in.readLong();
        }
        a.restore(org.mmspec.check.Encoding.readInts(in), org.mmspec.check.Encoding.readNullable(
                i -> new PcpStats.OomWitness(i.readInt(), i.readInt(), i.readLong()), in));
    }
}
