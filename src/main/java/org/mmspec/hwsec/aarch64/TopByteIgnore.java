package org.mmspec.hwsec.aarch64;

import org.mmspec.paging.VirtAddr;

/**
 * Top Byte Ignore (Arm ARM D8.8 "Address tagging", controlled by TCR_EL1.TBI0 and TBI1): which
 * bits of a 64-bit pointer the EL1&amp;0 translation regime uses, and which it ignores.
 *
 * <p>Encoding of a pointer {@code p}: bit 55 selects the half (0: TTBR0, user; 1: TTBR1,
 * kernel) whenever TBI is on for either half; bits 47:0 are the address the walk translates;
 * bits 63:56 are the top byte. With TBIn on for the selected half the top byte is metadata and
 * ignored, so bits 55:48 must equal bit 55; with TBIn off bits 63:48 must all equal bit 55
 * (otherwise an address-size fault, {@link ArmSecError.Kind#NON_CANONICAL}).
 *
 * <p>The model's regime: TBI0 follows the running address space's mode (per address space,
 * switched with it); TBI1 is always off, so a kernel pointer with metadata (bit 55 set, top byte
 * not 0xFF) is rejected ({@link ArmSecError.Kind#KERNEL_METADATA}). Invariants TBI-1 and TBI-2
 * ({@link ArmSecInvariants}) are stated over {@link #translate}.
 */
public final class TopByteIgnore {
    /** Lowest bit of the top byte. */
    public static final int TOP_BYTE_SHIFT = 56;
    /** Bits 63:56. */
    public static final long TOP_BYTE_MASK = 0xFFL << TOP_BYTE_SHIFT;
    /** Bit 55: selects TTBR0 (0) or TTBR1 (1). */
    public static final int SELECT_BIT = 55;
    /** Bits 55:48: above the 48-bit VA and below the top byte; never ignored. */
    public static final long UPPER_VA_MASK = 0xFFL << 48;
    /** Bits 63:48. */
    public static final long ABOVE_VA_MASK = 0xFFFFL << 48;
    /** TCR_EL1.TBI0 (bit 37): top byte ignored for TTBR0 addresses. */
    public static final long TCR_TBI0 = 1L << 37;
    /** TCR_EL1.TBI1 (bit 38): top byte ignored for TTBR1 addresses. */
    public static final long TCR_TBI1 = 1L << 38;

    /** Seeded bugs of the address check, each caught by TBI-1 or TBI-2. */
    public enum Bug {
        NONE,
        /** Ignores bits 63:52 (too many): bits 55:52 of a user pointer are dropped, not checked. */
        IGNORE_BITS_63_52,
        /** Ignores the user top byte even when the address space's mode is off. */
        IGNORE_WHEN_OFF,
        /** Treats TBI1 as on: kernel pointers with metadata are accepted. */
        KERNEL_TBI
    }

    private TopByteIgnore() {
    }

    /** The top byte of {@code ptr}. */
    public static int topByte(long ptr) {
        return (int) (ptr >>> TOP_BYTE_SHIFT);
    }

    /** {@code ptr} with its top byte replaced by {@code top}. */
    public static long withTopByte(long ptr, int top) {
        return (ptr & ~TOP_BYTE_MASK) | ((long) (top & 0xFF) << TOP_BYTE_SHIFT);
    }

    /** Whether {@code ptr} selects TTBR1 (bit 55). */
    public static boolean selectsKernel(long ptr) {
        return ((ptr >>> SELECT_BIT) & 1) != 0;
    }

    /**
     * The virtual address the walk translates for {@code ptr}, with TBI0 as given and TBI1 off.
     *
     * @throws ArmSecError NON_CANONICAL or KERNEL_METADATA
     */
    public static VirtAddr translate(long ptr, boolean tbi0) {
        return translate(ptr, tbi0, Bug.NONE);
    }

    /** {@link #translate(long, boolean)} with a seeded bug. */
    public static VirtAddr translate(long ptr, boolean tbi0, Bug bug) {
        if (!selectsKernel(ptr)) {
            boolean ignore = tbi0 || bug == Bug.IGNORE_WHEN_OFF;
            long checked = !ignore ? ABOVE_VA_MASK : bug == Bug.IGNORE_BITS_63_52 ? 0xFL << 48 : UPPER_VA_MASK;
            if ((ptr & checked) != 0) {
                throw ArmSecError.of(ArmSecError.Kind.NON_CANONICAL, "user pointer 0x%x: bits above 47 not ignored with TBI0=%d must be 0",
                        ptr, tbi0 ? 1 : 0);
            }
            long cleared = ignore ? ptr & ~(bug == Bug.IGNORE_BITS_63_52 ? 0xFFFL << 52 : TOP_BYTE_MASK) : ptr;
            return VirtAddr.of(cleared);
        }
        boolean tbi1 = bug == Bug.KERNEL_TBI;
        if ((ptr & UPPER_VA_MASK) != UPPER_VA_MASK) {
            throw ArmSecError.of(ArmSecError.Kind.NON_CANONICAL, "kernel pointer 0x%x: bits 55:48 must all be 1", ptr);
        }
        if (topByte(ptr) != 0xFF) {
            if (!tbi1) {
                throw ArmSecError.of(ArmSecError.Kind.KERNEL_METADATA, "kernel pointer 0x%x carries metadata 0x%02x (TBI1 is off)", ptr,
                        topByte(ptr));
            }
            return VirtAddr.of(ptr | TOP_BYTE_MASK);
        }
        return VirtAddr.of(ptr);
    }
}
