package org.mmspec.vm;

/**
 * The MREMAP_* flags of an mremap request, as Linux's {@code mm/mremap.c} reads them.
 *
 * <p>Encoding: one boolean per flag this model interprets, and {@code unknown} for any other bit
 * (Linux rejects those with EINVAL before looking at anything else). The combinations Linux
 * refuses (MREMAP_FIXED or MREMAP_DONTUNMAP without MREMAP_MAYMOVE) are representable on purpose:
 * they are bad input that {@link AddressSpace#mremap} must reject with a typed error.
 *
 * @param mayMove MREMAP_MAYMOVE: the mapping may move when it cannot grow in place
 * @param fixed MREMAP_FIXED: move to exactly {@code new_address}, replacing what is there
 * @param dontUnmap MREMAP_DONTUNMAP: move the pages, keep the old range mapped (and empty)
 * @param unknown a bit Linux does not define for mremap
 */
public record RemapFlags(boolean mayMove, boolean fixed, boolean dontUnmap, boolean unknown) {
    /** MREMAP_MAYMOVE's value in {@code <linux/mman.h>}. */
    public static final int MREMAP_MAYMOVE = 1;
    /** MREMAP_FIXED's value. */
    public static final int MREMAP_FIXED = 2;
    /** MREMAP_DONTUNMAP's value. */
    public static final int MREMAP_DONTUNMAP = 4;

    /** No flag: resize in place only. */
    public static final RemapFlags NONE = new RemapFlags(false, false, false, false);
    /** MREMAP_MAYMOVE alone. */
    public static final RemapFlags MAYMOVE = new RemapFlags(true, false, false, false);

    /** The flags of the raw {@code flags} argument. */
    public static RemapFlags ofBits(long bits) {
        return new RemapFlags((bits & MREMAP_MAYMOVE) != 0, (bits & MREMAP_FIXED) != 0, (bits & MREMAP_DONTUNMAP) != 0,
                (bits & ~(long) (MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0);
    }

    /** Whether the call takes Linux's {@code mremap_to} path (a move to a requested or found place). */
    public boolean movesTo() {
        return fixed || dontUnmap;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (mayMove) {
            b.append("|MAYMOVE");
        }
        if (fixed) {
            b.append("|FIXED");
        }
        if (dontUnmap) {
            b.append("|DONTUNMAP");
        }
        if (unknown) {
            b.append("|unknown");
        }
        return b.length() == 0 ? "0" : b.substring(1);
    }
}
