package org.mmspec.tlb.hw;

/**
 * The abstract page-table entry format shared by the MMU walker and the TLB: one entry packed
 * into the low {@link #BITS} bits of an {@code int}.
 *
 * <p>Encoding (Agrona style, one constant per field):
 * <pre>
 *   bit 0      PRESENT   the translation exists
 *   bit 1      WRITABLE  writes are allowed (reads always are when present)
 *   bit 2      GLOBAL    the entry survives a non-global flush (CR3 reload); kernel mappings
 *   bits 3..5  FRAME     the physical frame number, 0..{@link #MAX_FRAME}
 * </pre>
 * An entry whose PRESENT bit is clear is {@link #NONE} (all zero); no other bit may be set then.
 * A TLB entry uses the same encoding: it is the PTE as the walker read it at fill time.
 */
public final class Pte {
    /** Width of one encoded entry. */
    public static final int BITS = 6;
    /** Mask of one encoded entry. */
    public static final int MASK = (1 << BITS) - 1;
    /** The translation exists. */
    public static final int PRESENT = 1;
    /** Writes are allowed. */
    public static final int WRITABLE = 1 << 1;
    /** The entry survives a non-global flush. */
    public static final int GLOBAL = 1 << 2;
    /** Position of the frame number. */
    public static final int FRAME_SHIFT = 3;
    /** Largest frame number the abstract format can hold. */
    public static final int MAX_FRAME = 7;
    /** The absent entry. */
    public static final int NONE = 0;

    private Pte() {
    }

    /** A present entry. */
    public static int of(int frame, boolean writable, boolean global) {
        if (frame < 0 || frame > MAX_FRAME) {
            throw new IllegalArgumentException("frame " + frame + " outside 0.." + MAX_FRAME);
        }
        return PRESENT | (writable ? WRITABLE : 0) | (global ? GLOBAL : 0) | (frame << FRAME_SHIFT);
    }

    public static boolean present(int pte) {
        return (pte & PRESENT) != 0;
    }

    public static boolean writable(int pte) {
        return (pte & WRITABLE) != 0;
    }

    public static boolean global(int pte) {
        return (pte & GLOBAL) != 0;
    }

    public static int frame(int pte) {
        return (pte >>> FRAME_SHIFT) & MAX_FRAME;
    }

    /** The same entry without write permission. */
    public static int readOnly(int pte) {
        return pte & ~WRITABLE;
    }

    /** Short rendering: {@code f3 rw g}, {@code f1 r}, or {@code -}. */
    public static String render(int pte) {
        if (!present(pte)) {
            return "-";
        }
        return "f" + frame(pte) + (writable(pte) ? " rw" : " r") + (global(pte) ? " g" : "");
    }
}
