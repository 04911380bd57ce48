package org.mmspec.tlb.asid;

import static org.mmspec.check.Encoding.readInts;
import static org.mmspec.check.Encoding.writeInts;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.mmspec.check.StateCodec;

/**
 * Writes an {@link AsidState} of one configuration: its ints and int arrays in the order of
 * {@link AsidState}'s fields (each CPU's TLB as its sorted packed entries). The configuration
 * itself (array sizes, architecture) is the codec's, the same in every state.
 */
final class AsidStateCodec implements StateCodec<AsidState> {
    private final AsidConfig cfg;

    AsidStateCodec(AsidConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void write(AsidState s, DataOutput out) throws IOException {
        out.writeInt(s.generation);
        writeInts(s.context, out);
        out.writeInt(s.asidMap);
        writeInts(s.active, out);
        writeInts(s.reserved, out);
        out.writeInt(s.flushPending);
        writeInts(s.slotSpace, out);
        writeInts(s.slotGen, out);
        writeInts(s.nextSlot, out);
        writeInts(s.tlbGen, out);
        writeInts(s.cpuMask, out);
        writeInts(s.running, out);
        out.writeInt(s.lazy);
        writeInts(s.tag, out);
        writeInts(s.pte, out);
        out.writeInt(s.hugeLeaves);
        for (int[] entries : s.tlb) {
            writeInts(entries, out);
        }
        out.writeInt(s.opsLeft);
    }

    @Override
    public AsidState read(DataInput in) throws IOException {
        AsidState s = new AsidState(cfg);
        s.generation = in.readInt();
        fill(s.context, in);
        s.asidMap = in.readInt();
        fill(s.active, in);
        fill(s.reserved, in);
        s.flushPending = in.readInt();
        fill(s.slotSpace, in);
        fill(s.slotGen, in);
        fill(s.nextSlot, in);
        fill(s.tlbGen, in);
        fill(s.cpuMask, in);
        fill(s.running, in);
        s.lazy = in.readInt();
        fill(s.tag, in);
        fill(s.pte, in);
        s.hugeLeaves = in.readInt();
        for (int c = 0; c < s.tlb.length; c++) {
            s.tlb[c] = readInts(in);
        }
        s.opsLeft = in.readInt();
        return s;
    }

    /** Reads an array of the configuration's length into {@code field}. */
    private static void fill(int[] field, DataInput in) throws IOException {
        int[] values = readInts(in);
        if (values.length != field.length) {
            throw new IOException("an array of " + values.length + " where this configuration has " + field.length);
        }
        System.arraycopy(values, 0, field, 0, values.length);
    }
}
