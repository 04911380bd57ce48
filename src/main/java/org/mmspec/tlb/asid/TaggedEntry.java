package org.mmspec.tlb.asid;

/**
 * One TLB entry of the ASID model: the hardware tag (an AArch64/RISC-V ASID, or an x86 PCID
 * slot), the page it translates (a 4 KiB page of the region, or {@link #HUGE} for the 2 MiB leaf
 * that covers every page), the frame and write permission, and, as ghost state the hardware does
 * not have, the address space it was filled from. The hardware matches entries by tag and page
 * only; the owner exists so that the invariants can say which address space an entry belongs to.
 *
 * <p>Packed into an int ({@link #pack}) so that a TLB is a small sorted {@code int[]}:
 * bits 0-1 owner, 2 writable, 3-5 frame, 6-7 page, 8-10 tag.
 *
 * @param tag the hardware tag the entry was filled under
 * @param page the 4 KiB page, or {@link #HUGE}
 * @param frame the frame of the page; for a huge entry the frame of page 0 (the leaf's base)
 * @param writable whether the entry allows stores
 * @param owner the address space the fill walked (ghost)
 */
public record TaggedEntry(int tag, int page, int frame, boolean writable, int owner) {
    /** The page number of a 2 MiB entry, which covers every page of the region. */
    public static final int HUGE = 3;
    /** Bits for the tag in a packed entry. */
    public static final int TAG_BITS = 3;

    public TaggedEntry {
        if (tag < 0 || tag >= 1 << TAG_BITS || page < 0 || page > HUGE || frame < 0 || frame > 7 || owner < 0 || owner > 3) {
            throw new IllegalArgumentException("entry out of packing range: tag " + tag + " page " + page + " frame "
                    + frame + " owner " + owner);
        }
    }

    public int pack() {
        return tag << 8 | page << 6 | frame << 3 | (writable ? 1 << 2 : 0) | owner;
    }

    public static TaggedEntry unpack(int bits) {
        return new TaggedEntry(bits >>> 8 & 7, bits >>> 6 & 3, bits >>> 3 & 7, (bits >>> 2 & 1) == 1, bits & 3);
    }

    public boolean huge() {
        return page == HUGE;
    }

    /** Whether a lookup of {@code p} under {@code t} hits this entry. */
    public boolean covers(int t, int p) {
        return tag == t && (page == p || page == HUGE);
    }

    /** The frame this entry gives page {@code p} (a huge entry: the leaf's base plus the page). */
    public int frameOf(int p) {
        return huge() ? frame + p : frame;
    }

    @Override
    public String toString() {
        return "t" + tag + ":" + (huge() ? "2M f" + frame : "p" + page + " f" + frame) + (writable ? " rw" : " r")
                + " (" + AsidState.spaceName(owner) + ")";
    }
}
