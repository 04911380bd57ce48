package org.mmspec.paging;

/**
 * A virtual byte address in canonical form for the widest mode the model has.
 *
 * <p>Canonical for a {@code n}-bit space: bits 63..n-1 are all copies of bit n-1, so the address
 * lies in the lower half {@code [0, 2^(n-1))} or the upper half {@code [2^64 - 2^(n-1), 2^64)}.
 * x86_64 raises #GP on a non-canonical address and RISC-V raises a page fault. The width follows
 * the active paging mode: 48 bits for x86_64 4-level paging, AArch64 and Sv48, 39 for Sv39, 57 for
 * x86_64 5-level paging (CR4.LA57) and Sv57. A {@code VirtAddr} holds any value canonical in the
 * widest of them, 57 bits ({@link #VA_BITS_MAX}); the constructor rejects the rest with
 * {@link PagingError.Kind#NON_CANONICAL}, so no API ever holds one. Whether an address is
 * canonical in the mode a page table actually runs in is the format's question
 * ({@link PteFormat#isCanonical}), which the PageMapper asks of every page before touching the
 * tree (CANON-1).
 *
 * @param value the address as an unsigned 64-bit quantity
 */
public record VirtAddr(long value) implements Comparable<VirtAddr> {
    /** Virtual-address bits of 4-level paging (x86_64 4-level, AArch64 48-bit, Sv48). */
    public static final int VA_BITS_4_LEVEL = 48;
    /** Virtual-address bits of 5-level paging (x86_64 LA57, Sv57): the widest mode, so every VirtAddr is canonical in it. */
    public static final int VA_BITS_5_LEVEL = 57;
    /** The widest virtual-address space any modelled format has. */
    public static final int VA_BITS_MAX = VA_BITS_5_LEVEL;
    /** The lowest address of the 4-level upper (kernel) half: 0xFFFF_8000_0000_0000. */
    public static final long UPPER_HALF_START = 0xFFFF_8000_0000_0000L;
    /** One past the highest address of the 4-level lower (user) half: 2^47. */
    public static final long LOWER_HALF_END = 0x0000_8000_0000_0000L;

    public VirtAddr {
        if (!isCanonical(value, VA_BITS_MAX)) {
            throw PagingError.of(PagingError.Kind.NON_CANONICAL,
                    "0x%016x is not canonical in any mode: bits 63..56 must all equal bit 56", value);
        }
    }

    public static VirtAddr of(long value) {
        return new VirtAddr(value);
    }

    /** Whether {@code value} sign-extends from bit {@code bits - 1} (canonical for a {@code bits}-bit space). */
    public static boolean isCanonical(long value, int bits) {
        return (value << (64 - bits)) >> (64 - bits) == value;
    }

    /** Whether this address lies in the upper (kernel) half. */
    public boolean isUpperHalf() {
        return value < 0;
    }

    /** Bits {@code [shift, shift + bits)}, e.g. a table index. */
    public int bits(int shift, int bits) {
        return (int) ((value >>> shift) & ((1L << bits) - 1));
    }

    /** Whether this address is a multiple of {@code size} (a power of two). */
    public boolean isAligned(long size) {
        return (value & (size - 1)) == 0;
    }

    /** The address rounded down to a multiple of {@code size} (a power of two). */
    public VirtAddr alignDown(long size) {
        return new VirtAddr(value & -size);
    }

    /** This address plus {@code bytes}; fails if the result is not canonical. */
    public VirtAddr plus(long bytes) {
        return new VirtAddr(value + bytes);
    }

    @Override
    public int compareTo(VirtAddr o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return String.format("0x%016x", value);
    }
}
