package org.mmspec.paging;

/**
 * Every page and block size the three formats can map with one leaf entry. Which sizes a format
 * offers, and at which level the leaf sits, is the format's business
 * ({@link PteFormat#leafDepth}).
 *
 * <ul>
 *   <li>x86_64: 4 KiB (PT), 2 MiB (PD, PS=1), 1 GiB (PDPT, PS=1).</li>
 *   <li>AArch64 4 KiB granule: 4 KiB (level 3), 2 MiB (level-2 block), 1 GiB (level-1 block);
 *       16 KiB granule: 16 KiB, 32 MiB; 64 KiB granule: 64 KiB, 512 MiB.</li>
 *   <li>RISC-V Sv39: 4 KiB, 2 MiB megapage, 1 GiB gigapage; Sv48 adds the 512 GiB terapage, Sv57
 *       the 256 TiB petapage (a leaf at every level).</li>
 *   <li>x86_64 5-level paging (LA57) adds no size: PS is reserved in PML4 and PML5 entries.</li>
 * </ul>
 */
public enum PageSize {
    /** 4 KiB: the base page of x86_64, RISC-V and the AArch64 4 KiB granule. */
    KIB_4(12),
    /** 16 KiB: the base page of the AArch64 16 KiB granule. */
    KIB_16(14),
    /** 64 KiB: the base page of the AArch64 64 KiB granule. */
    KIB_64(16),
    /** 2 MiB: x86_64 PD huge page, RISC-V megapage, AArch64 4 KiB-granule level-2 block. */
    MIB_2(21),
    /** 32 MiB: AArch64 16 KiB-granule level-2 block. */
    MIB_32(25),
    /** 512 MiB: AArch64 64 KiB-granule level-2 block. */
    MIB_512(29),
    /** 1 GiB: x86_64 PDPT huge page, RISC-V gigapage, AArch64 4 KiB-granule level-1 block. */
    GIB_1(30),
    /** 512 GiB: RISC-V Sv48/Sv57 terapage. */
    GIB_512(39),
    /** 256 TiB: RISC-V Sv57 petapage. */
    TIB_256(48);

    private final int shift;

    PageSize(int shift) {
        this.shift = shift;
    }

    /** log2 of the size in bytes. */
    public int shift() {
        return shift;
    }

    public long bytes() {
        return 1L << shift;
    }

    /** How many 4 KiB physical frames one page of this size covers. */
    public long frames() {
        return 1L << (shift - org.mmspec.frames.PhysFrame.SHIFT);
    }

    /** The size whose shift is {@code shift}. */
    public static PageSize ofShift(int shift) {
        for (PageSize s : values()) {
            if (s.shift == shift) {
                return s;
            }
        }
        throw new IllegalArgumentException("no page size of 2^" + shift + " bytes");
    }

    @Override
    public String toString() {
        long b = bytes();
        if (b >= 1L << 40) {
            return (b >> 40) + " TiB";
        }
        if (b >= 1L << 30) {
            return (b >> 30) + " GiB";
        }
        if (b >= 1L << 20) {
            return (b >> 20) + " MiB";
        }
        return (b >> 10) + " KiB";
    }
}
