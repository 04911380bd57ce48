package org.mmspec.paging;

import org.mmspec.frames.PhysAddr;

/**
 * One page-table entry as the hardware reads it at a given level: what kind of entry it is,
 * where it points, and its flags.
 *
 * @param kind invalid, a pointer to the next table, a leaf (page or block), or a reserved
 *        encoding the hardware faults on
 * @param address the next table (TABLE) or the output address (LEAF); null otherwise
 * @param flags for a LEAF its permissions and attributes; for a TABLE the restrictions it imposes
 *        on everything below (x86 RW/US/NX, AArch64 APTable/XNTable), as the flags that remain
 *        allowed; NONE otherwise
 * @param reason for RESERVED, why the hardware would fault; empty otherwise
 */
public record Entry(Kind kind, PhysAddr address, PageFlags flags, String reason) {
    /** The four things an entry can be. */
    public enum Kind {
        /** Not valid/present: the walk stops with a not-present fault. */
        INVALID,
        /** Points to the next-level table. */
        TABLE,
        /** Maps a page or block (huge page). */
        LEAF,
        /** A reserved encoding: the walk stops with a reserved-bit or translation fault. */
        RESERVED
    }

    public static final Entry INVALID = new Entry(Kind.INVALID, null, PageFlags.NONE, "");

    public static Entry table(PhysAddr next, PageFlags restrictions) {
        return new Entry(Kind.TABLE, next, restrictions, "");
    }

    public static Entry leaf(PhysAddr out, PageFlags flags) {
        return new Entry(Kind.LEAF, out, flags, "");
    }

    public static Entry reserved(String reason) {
        return new Entry(Kind.RESERVED, null, PageFlags.NONE, reason);
    }

    public boolean isTable() {
        return kind == Kind.TABLE;
    }

    public boolean isLeaf() {
        return kind == Kind.LEAF;
    }

    public boolean isValid() {
        return kind != Kind.INVALID;
    }
}
