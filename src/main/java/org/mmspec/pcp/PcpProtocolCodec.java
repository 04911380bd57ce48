package org.mmspec.pcp;

import static org.mmspec.check.Encoding.readInts;
import static org.mmspec.check.Encoding.writeInts;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.mmspec.check.StateCodec;

/**
 * Writes a {@link PcpProtocolModel.State}: the frame count, the CPU count, the node's free frames
 * (ascending, as its set iterates), then per CPU its cache in list order (the order refills and
 * drains use), its held frames, its pending read (-1 for none) and whether it has an allocation request
 * pending (the model with {@code requests=true}).
 */
final class PcpProtocolCodec implements StateCodec<PcpProtocolModel.State> {
    @Override
    public void write(PcpProtocolModel.State s, DataOutput out) throws IOException {
        out.writeInt(s.frames);
        out.writeInt(s.pendingRead.length);
        writeInts(s.node.stream().mapToInt(Integer::intValue).toArray(), out);
        for (int c = 0; c < s.pendingRead.length; c++) {
            writeInts(s.caches.get(c).stream().mapToInt(Integer::intValue).toArray(), out);
            writeInts(s.held.get(c).stream().mapToInt(Integer::intValue).toArray(), out);
            out.writeInt(s.pendingRead[c]);
            out.writeBoolean(s.requested[c]);
        }
    }

    @Override
    public PcpProtocolModel.State read(DataInput in) throws IOException {
        int frames = in.readInt();
        PcpProtocolModel.State s = new PcpProtocolModel.State(in.readInt(), frames);
        for (int f : readInts(in)) {
            s.node.add(f);
        }
        for (int c = 0; c < s.pendingRead.length; c++) {
            for (int f : readInts(in)) {
                s.caches.get(c).add(f);
            }
            for (int f : readInts(in)) {
                s.held.get(c).add(f);
            }
            s.pendingRead[c] = in.readInt();
            s.requested[c] = in.readBoolean();
        }
        return s;
    }
}
