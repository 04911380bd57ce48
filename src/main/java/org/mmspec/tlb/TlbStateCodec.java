package org.mmspec.tlb;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.mmspec.check.StateCodec;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Tlb;

/**
 * Writes a {@link TlbState} of one {@link ShootdownModel} for the explorer's on-disk frontier.
 *
 * <p>Layout, field by field in {@link TlbState}'s order: the page table's and the frame table's
 * packed words, the generation; per CPU its nine small integers, its request (a presence byte,
 * then CPU mask, pages and mode ordinal) and its TLB's packed word; then the cost ghost (a presence
 * byte, then CPU, request, and the TLB before and after). What the packed words leave out (page
 * and frame counts, TLB capacity, the leaf table's frame) is the model's configuration, the same
 * in every state.
 */
final class TlbStateCodec implements StateCodec<TlbState> {
    private final ShootdownModel model;
    private final int tableFrame;

    TlbStateCodec(ShootdownModel model) {
        this.model = model;
        this.tableFrame = model.config.initialPageTable().tableFrame();
    }

    @Override
    public void write(TlbState s, DataOutput out) throws IOException {
        out.writeLong(s.pt.encoded());
        out.writeInt(s.frames.encoded());
        out.writeInt(s.gen);
        for (TlbState.Cpu c : s.cpus) {
            out.writeInt(c.script);
            out.writeInt(c.opIndex);
            out.writeInt(c.pc);
            out.writeInt(c.acks);
            out.writeInt(c.mailbox);
            out.writeInt(c.serving);
            out.writeInt(c.servePc);
            out.writeInt(c.localGen);
            out.writeInt(c.toFree);
            writeRequest(c.request, out);
            out.writeLong(c.tlb.encoded());
        }
        FlushCost.Flush f = s.costBreach;
        out.writeBoolean(f != null);
        if (f != null) {
            out.writeInt(f.cpu());
            writeRequest(f.request(), out);
            out.writeLong(f.before().encoded());
            out.writeLong(f.after().encoded());
        }
    }

    @Override
    public TlbState read(DataInput in) throws IOException {
        TlbConfig cfg = model.config;
        PageTable pt = PageTable.decode(cfg.pages(), tableFrame, in.readLong());
        FrameTable frames = FrameTable.decode(cfg.frames(), in.readInt());
        int gen = in.readInt();
        TlbState.Cpu[] cpus = new TlbState.Cpu[cfg.cpus()];
        for (int c = 0; c < cpus.length; c++) {
            cpus[c] = new TlbState.Cpu(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    in.readInt(), in.readInt(), in.readInt(), readRequest(in), Tlb.decode(cfg.tlbCapacity(), in.readLong()));
        }
        FlushCost.Flush breach = null;
        if (in.readBoolean()) {
            int cpu = in.readInt();
            TlbShootdown request = readRequest(in);
            breach = new FlushCost.Flush(cpu, request, Tlb.decode(cfg.tlbCapacity(), in.readLong()),
                    Tlb.decode(cfg.tlbCapacity(), in.readLong()));
        }
        return new TlbState(model, pt, frames, gen, cpus, breach);
    }

    private static void writeRequest(TlbShootdown r, DataOutput out) throws IOException {
        out.writeBoolean(r != null);
        if (r != null) {
            out.writeInt(r.cpuMask().bits());
            out.writeInt(r.pages());
            out.writeByte(r.mode().ordinal());
        }
    }

    private static TlbShootdown readRequest(DataInput in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        return new TlbShootdown(CpuMask.ofBits(in.readInt()), in.readInt(), ShootdownMode.values()[in.readByte()]);
    }
}
