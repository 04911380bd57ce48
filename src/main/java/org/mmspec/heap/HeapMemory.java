package org.mmspec.heap;

import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.PhysFrame;

/**
 * The contents of heap memory, as far as the model needs them: red zones, poison, checksummed
 * free objects and whatever test code writes into its objects.
 *
 * <p>Encoding: sparse pages, {@code page index -> byte[4096]}, created on first write; a page
 * never written reads as zeros. Every method is {@code synchronized}: the heap's threads touch
 * distinct objects, but a page's creation is shared. The store does not know which bytes the
 * heap owns; a test may write anywhere, which is how overflows are staged.
 */
public final class HeapMemory {
    private final TreeMap<Long, byte[]> pages = new TreeMap<>();

    /** Writes every page held (its number, then its non-zero bytes as index and value), for a state codec. */
    synchronized void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(pages.size());
        for (java.util.Map.Entry<Long, byte[]> e : pages.entrySet()) {
            out.writeLong(e.getKey());
            byte[] p = e.getValue();
            int nonZero = 0;
            for (byte b : p) {
                nonZero += b != 0 ? 1 : 0;
            }
            out.writeShort(nonZero);
            for (int i = 0; i < p.length; i++) {
                if (p[i] != 0) {
                    out.writeShort(i);
                    out.writeByte(p[i]);
                }
            }
        }
    }

    /** Reads what {@link #writeState} wrote over these pages. */
    synchronized void readState(java.io.DataInput in) throws java.io.IOException {
        pages.clear();
        for (int n = in.readInt(); n > 0; n--) {
            long page = in.readLong();
            byte[] p = new byte[(int) PhysFrame.SIZE];
            for (int k = in.readShort(); k > 0; k--) {
                p[in.readShort()] = in.readByte();
            }
            pages.put(page, p);
        }
    }

    public synchronized byte read(HeapAddr at) {
        byte[] p = pages.get(at.offset() / PhysFrame.SIZE);
        return p == null ? 0 : p[(int) (at.offset() % PhysFrame.SIZE)];
    }

    public synchronized void write(HeapAddr at, byte value) {
        page(at.offset())[(int) (at.offset() % PhysFrame.SIZE)] = value;
    }

    /** Writes {@code bytes} starting at {@code at}. */
    public synchronized void write(HeapAddr at, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            long o = at.offset() + i;
            page(o)[(int) (o % PhysFrame.SIZE)] = bytes[i];
        }
    }

    /** Sets {@code length} bytes from {@code at} to {@code value}. */
    public synchronized void fill(HeapAddr at, long length, byte value) {
        for (long o = at.offset(); o < at.offset() + length; o++) {
            if (value == 0 && !pages.containsKey(o / PhysFrame.SIZE)) {
                continue;
            }
            page(o)[(int) (o % PhysFrame.SIZE)] = value;
        }
    }

    /** The offset of the first byte in {@code [at, at + length)} that is not {@code expected}, or -1. */
    public synchronized long firstMismatch(HeapAddr at, long length, byte expected) {
        for (long i = 0; i < length; i++) {
            long o = at.offset() + i;
            byte[] p = pages.get(o / PhysFrame.SIZE);
            byte b = p == null ? 0 : p[(int) (o % PhysFrame.SIZE)];
            if (b != expected) {
                return i;
            }
        }
        return -1;
    }

    /** FNV-1a (32 bit) over {@code [at, at + length)}: the checksum of a free object. */
    public synchronized int checksum(HeapAddr at, long length) {
        int h = 0x811C9DC5;
        for (long i = 0; i < length; i++) {
            long o = at.offset() + i;
            byte[] p = pages.get(o / PhysFrame.SIZE);
            byte b = p == null ? 0 : p[(int) (o % PhysFrame.SIZE)];
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    /** A deep copy. */
    public synchronized HeapMemory copy() {
        HeapMemory m = new HeapMemory();
        for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
            m.pages.put(e.getKey(), e.getValue().clone());
        }
        return m;
    }

    /** A value equal for equal contents (all-zero pages count as absent); used by snapshots and state keys. */
    public synchronized String digest() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
            byte[] p = e.getValue();
            int h = 0x811C9DC5;
            boolean zero = true;
            for (byte b : p) {
                zero &= b == 0;
                h = (h ^ (b & 0xFF)) * 0x01000193;
            }
            if (!zero) {
                sb.append(e.getKey()).append(':').append(Integer.toHexString(h)).append(' ');
            }
        }
        return sb.toString();
    }

    private byte[] page(long offset) {
        return pages.computeIfAbsent(offset / PhysFrame.SIZE, k -> new byte[(int) PhysFrame.SIZE]);
    }
}
