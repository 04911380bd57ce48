package org.mmspec.numa;

import static org.mmspec.check.Encoding.readEnum;
import static org.mmspec.check.Encoding.readList;
import static org.mmspec.check.Encoding.readNullable;
import static org.mmspec.check.Encoding.writeEnum;
import static org.mmspec.check.Encoding.writeList;
import static org.mmspec.check.Encoding.writeNullable;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Optional;

import org.mmspec.zones.ZoneCodec;

/**
 * The encodings of the NUMA records the state codecs of {@code models/numa-3node}
 * ({@link NumaAllocator#writeState}) and {@code models/numa-zones}
 * ({@link ZonedNumaAllocator#writeState}) write: node IDs as their number (-1 for none), runs as
 * {@link ZoneCodec#writeRun}, the rest field by field.
 */
final class NumaCodec {
    private NumaCodec() {
    }

    static void writeNode(NodeId n, DataOutput out) throws IOException {
        out.writeInt(n == null ? -1 : n.value());
    }

    static NodeId readNode(DataInput in) throws IOException {
        int v = in.readInt();
        return v < 0 ? null : new NodeId(v);
    }

    static void writeAllocation(NumaAllocation a, DataOutput out) throws IOException {
        ZoneCodec.writeRun(a.run(), out);
        writeNode(a.served(), out);
        writeNode(a.intended(), out);
        out.writeBoolean(a.strict());
    }

    static NumaAllocation readAllocation(DataInput in) throws IOException {
        return new NumaAllocation(ZoneCodec.readRun(in), readNode(in), readNode(in), in.readBoolean());
    }

    static void writeDecision(NumaDecision d, DataOutput out) throws IOException {
        NumaRequest r = d.request();
        out.writeInt(r.cpu());
        out.writeInt(r.order());
        writeEnum(r.binding().policy(), out);
        writeNode(r.binding().node(), out);
        writeNode(d.start(), out);
        writeList(d.attempts(), (a, o) -> {
            writeNode(a.node(), o);
            o.writeBoolean(a.satisfied());
        }, out);
        writeNode(d.served().orElse(null), out);
    }

    static NumaDecision readDecision(DataInput in) throws IOException {
        NumaRequest r = new NumaRequest(in.readInt(), in.readInt(),
                new Binding(readEnum(Binding.Policy.class, in), readNode(in)));
        NodeId start = readNode(in);
        var attempts = readList(i -> new NumaDecision.Attempt(readNode(i), i.readBoolean()), in);
        return new NumaDecision(r, start, attempts, Optional.ofNullable(readNode(in)));
    }

    static void writeZone(NodeZone z, DataOutput out) throws IOException {
        writeNode(z.node(), out);
        writeEnum(z.type(), out);
    }

    static NodeZone readZone(DataInput in) throws IOException {
        return new NodeZone(readNode(in), readEnum(NodeZoneType.class, in));
    }

    static void writeRequest(ZonedRequest r, DataOutput out) throws IOException {
        writeNode(r.node(), out);
        writeEnum(r.highest(), out);
        out.writeInt(r.order());
    }

    static ZonedRequest readRequest(DataInput in) throws IOException {
        return new ZonedRequest(readNode(in), readEnum(NodeZoneType.class, in), in.readInt());
    }

    static void writeZoned(ZonedAllocation a, DataOutput out) throws IOException {
        ZoneCodec.writeRun(a.run(), out);
        writeZone(a.zone(), out);
        writeRequest(a.request(), out);
    }

    static ZonedAllocation readZoned(DataInput in) throws IOException {
        return new ZonedAllocation(ZoneCodec.readRun(in), readZone(in), readRequest(in));
    }

    static void writeZonedDecision(ZonedDecision d, DataOutput out) throws IOException {
        writeRequest(d.request(), out);
        writeList(d.attempts(), (a, o) -> {
            writeZone(a.zone(), o);
            writeEnum(a.pass(), o);
            o.writeLong(a.free());
            o.writeLong(a.mark());
            o.writeBoolean(a.keptMark());
            o.writeBoolean(a.satisfied());
        }, out);
        writeNullable(d.served().orElse(null), NumaCodec::writeZone, out);
    }

    static ZonedDecision readZonedDecision(DataInput in) throws IOException {
        ZonedRequest r = readRequest(in);
        var attempts = readList(i -> new ZonedDecision.Attempt(readZone(i), readEnum(Watermarks.Mark.class, i), i.readLong(),
                i.readLong(), i.readBoolean(), i.readBoolean()), in);
        return new ZonedDecision(r, attempts, Optional.ofNullable(readNullable(NumaCodec::readZone, in)));
    }
}
