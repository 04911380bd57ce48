package org.mmspec.zones;

import static org.mmspec.check.Encoding.readEnum;
import static org.mmspec.check.Encoding.writeEnum;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.Encoding;
import org.mmspec.check.StateCodec;
import org.mmspec.frames.FrameRange;

/**
 * The state codec of {@code models/zones-small} ({@link ZoneSystem}: the zones' pools, live
 * allocations and last decision, then the page cache's runs), and the encodings of the zone
 * records it and the NUMA models share: a run as its first frame and length, an allocation as its
 * run and two zone types, a decision field by field. A state is read into a copy of the
 * configuration's initial system.
 */
public final class ZoneCodec {
    private ZoneCodec() {
    }

    static StateCodec<ZoneSystem> system(java.util.function.Supplier<ZoneSystem> initial) {
        return Encoding.overwriting(initial, ZoneSystem::copy, (s, out) -> {
            s.zones.writeState(out);
            s.cache.writeState(out);
        }, (s, in) -> {
            s.zones.readState(in);
            s.cache.readState(in);
        });
    }

    public static void writeRun(FrameRange run, DataOutput out) throws IOException {
        out.writeLong(run.start().number());
        out.writeLong(run.count());
    }

    public static FrameRange readRun(DataInput in) throws IOException {
        return FrameRange.of(in.readLong(), in.readLong());
    }

    static void writeAllocation(ZoneAllocation a, DataOutput out) throws IOException {
        writeRun(a.run(), out);
        writeEnum(a.requested(), out);
        writeEnum(a.served(), out);
    }

    static ZoneAllocation readAllocation(DataInput in) throws IOException {
        return new ZoneAllocation(readRun(in), readEnum(ZoneType.class, in), readEnum(ZoneType.class, in));
    }

    static void writeDecision(ZoneDecision d, DataOutput out) throws IOException {
        ZoneRequest r = d.request();
        writeEnum(r.preferred(), out);
        out.writeInt(r.order());
        out.writeBoolean(r.mayFallback());
        out.writeBoolean(r.mayReclaim());
        Encoding.writeList(d.attempts(), (a, o) -> {
            writeEnum(a.zone(), o);
            o.writeBoolean(a.satisfied());
        }, out);
        out.writeInt(d.reclaimAfter());
        out.writeLong(d.reclaimedFrames());
        Encoding.writeNullable(d.served().orElse(null), Encoding::writeEnum, out);
    }

    static ZoneDecision readDecision(DataInput in) throws IOException {
        ZoneRequest r = new ZoneRequest(readEnum(ZoneType.class, in), in.readInt(), in.readBoolean(), in.readBoolean());
        List<ZoneDecision.Attempt> attempts = Encoding.readList(
                i -> new ZoneDecision.Attempt(readEnum(ZoneType.class, i), i.readBoolean()), in);
        int reclaimAfter = in.readInt();
        long reclaimed = in.readLong();
        ZoneType served = Encoding.readNullable(i -> readEnum(ZoneType.class, i), in);
        return new ZoneDecision(r, attempts, reclaimAfter, reclaimed, Optional.ofNullable(served));
    }
}
