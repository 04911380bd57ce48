package org.mmspec.hwsec.aarch64;

import static org.mmspec.check.Encoding.readEnum;
import static org.mmspec.check.Encoding.readNullable;
import static org.mmspec.check.Encoding.writeEnum;
import static org.mmspec.check.Encoding.writeNullable;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes and reads what steps change in an {@link ArmMm}, for a state codec
 * ({@link org.mmspec.check.Encoding#overwriting}): the allocation tags and used frames; the
 * processes by pid (mode, tag-check mode, keys, descriptors by page, ghosts); each CPU's
 * registers; the next pid and key sequence; the last access (a presence byte first). Sizes and bug
 * are the configuration's. Keys are their five words; {@link PacKeys#NONE} is an equal value.
 */
final class ArmMmCodec {
    private ArmMmCodec() {
    }

    static void write(ArmMm m, DataOutput out) throws IOException {
        out.writeInt(m.tags.length);
        out.write(m.tags);
        org.mmspec.check.Encoding.writeBooleans(m.used, out);
        out.writeInt(m.procs.size());
        for (var e : m.procs.entrySet()) {
            out.writeInt(e.getKey());
            ArmMm.Proc p = e.getValue();
            out.writeBoolean(p.tbi);
            writeEnum(p.tcf, out);
            writeKeys(p.keys, out);
            out.writeInt(p.ptes.size());
            for (var pte : p.ptes.entrySet()) {
                out.writeLong(pte.getKey());
                out.writeLong(pte.getValue());
            }
            org.mmspec.check.Encoding.writeLongs(p.ghostTagged.stream().mapToLong(Long::longValue).toArray(), out);
            out.writeLong(p.ghostLineage);
            writeNullable(p.ghostInherited, ArmMmCodec::writeKeys, out);
            out.writeInt(p.asyncFaultsReported);
        }
        for (ArmMm.Cpu c : m.cpus) {
            out.writeInt(c.running);
            out.writeBoolean(c.tbi0);
            writeEnum(c.tcf0, out);
            writeKeys(c.keys, out);
            out.writeBoolean(c.tf0);
            out.writeInt(c.ghostAsyncMismatches);
        }
        out.writeInt(m.nextPid);
        out.writeLong(m.nextKeySeq);
        writeNullable(m.last, ArmMmCodec::writeLast, out);
    }

    static void read(ArmMm m, DataInput in) throws IOException {
        if (in.readInt() != m.tags.length) {
            throw new IOException("tags of another configuration");
        }
        in.readFully(m.tags);
        boolean[] used = org.mmspec.check.Encoding.readBooleans(in);
        System.arraycopy(used, 0, m.used, 0, m.used.length);
        m.procs.clear();
        for (int n = in.readInt(); n > 0; n--) {
            int pid = in.readInt();
            ArmMm.Proc p = new ArmMm.Proc();
            p.tbi = in.readBoolean();
            p.tcf = readEnum(TagCheckMode.class, in);
            p.keys = readKeys(in);
            for (int k = in.readInt(); k > 0; k--) {
                p.ptes.put(in.readLong(), in.readLong());
            }
            for (long page : org.mmspec.check.Encoding.readLongs(in)) {
                p.ghostTagged.add(page);
            }
            p.ghostLineage = in.readLong();
            p.ghostInherited = readNullable(ArmMmCodec::readKeys, in);
            p.asyncFaultsReported = in.readInt();
            m.procs.put(pid, p);
        }
        for (int i = 0; i < m.cpus.length; i++) {
            ArmMm.Cpu c = new ArmMm.Cpu();
            c.running = in.readInt();
            c.tbi0 = in.readBoolean();
            c.tcf0 = readEnum(TagCheckMode.class, in);
            c.keys = readKeys(in);
            c.tf0 = in.readBoolean();
            c.ghostAsyncMismatches = in.readInt();
            m.cpus[i] = c;
        }
        m.nextPid = in.readInt();
        m.nextKeySeq = in.readLong();
        m.last = readNullable(ArmMmCodec::readLast, in);
    }

    private static void writeKeys(PacKeys k, DataOutput out) throws IOException {
        out.writeLong(k.apia());
        out.writeLong(k.apib());
        out.writeLong(k.apda());
        out.writeLong(k.apdb());
        out.writeLong(k.apga());
    }

    private static PacKeys readKeys(DataInput in) throws IOException {
        PacKeys k = new PacKeys(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        return k.equals(PacKeys.NONE) ? PacKeys.NONE : k;
    }

    private static void writeLast(ArmMm.LastAccess a, DataOutput out) throws IOException {
        out.writeLong(a.ptr());
        out.writeBoolean(a.tbi());
        writeEnum(a.mode(), out);
        out.writeBoolean(a.taggedPage());
        out.writeInt(a.pointerTag());
        out.writeInt(a.memoryTag());
        out.writeLong(a.page());
    }

    private static ArmMm.LastAccess readLast(DataInput in) throws IOException {
        return new ArmMm.LastAccess(in.readLong(), in.readBoolean(), readEnum(TagCheckMode.class, in), in.readBoolean(),
                in.readInt(), in.readInt(), in.readLong());
    }
}
