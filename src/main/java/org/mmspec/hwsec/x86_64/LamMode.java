package org.mmspec.hwsec.x86_64;

import java.util.Optional;

import org.mmspec.paging.PointerMasking;
import org.mmspec.paging.VirtAddr;

/**
 * x86_64 Linear Address Masking for user pointers (Intel SDM Vol. 3A §4.4, "Linear-Address
 * Pre-Processing"; the Architecture Instruction Set Extensions reference, "Linear Address
 * Masking"), selected per address space by CR3.LAM_U57 (bit 61) and CR3.LAM_U48 (bit 62).
 * Supervisor masking (CR4.LAM_SUP) stays off, so pointers with bit 63 set are never masked.
 *
 * <p>For a user pointer (bit 63 = 0) the metadata bits are 62:57 (LAM_U57) or 62:48 (LAM_U48);
 * the processor replaces them by bit 63 (that is, clears them) and then applies the ordinary
 * 48-bit canonical check to the result, so bits 56:47 (LAM_U57) or bit 47 (LAM_U48) must still
 * equal bit 63.
 */
public enum LamMode implements PointerMasking {
    /** No masking: every pointer must be canonical. */
    OFF(0),
    /** Metadata in bits 62:57 of user pointers. */
    LAM_U57(0x7E00_0000_0000_0000L),
    /** Metadata in bits 62:48 of user pointers. */
    LAM_U48(0x7FFF_0000_0000_0000L);

    /** CR3 bit 61: LAM_U57. */
    public static final long CR3_LAM_U57 = 1L << 61;
    /** CR3 bit 62: LAM_U48. */
    public static final long CR3_LAM_U48 = 1L << 62;
    /** Bit 63, which tells user (0) from supervisor (1) pointers and is never masked. */
    public static final long SUPERVISOR_BIT = 1L << 63;

    private final long mask;

    LamMode(long mask) {
        this.mask = mask;
    }

    @Override
    public long userMetadataMask() {
        return mask;
    }

    /** The CR3 bits that select this mode. */
    public long cr3Bits() {
        return this == LAM_U57 ? CR3_LAM_U57 : this == LAM_U48 ? CR3_LAM_U48 : 0;
    }

    /** The mode CR3 selects: LAM_U57 is ignored when LAM_U48 is set, so LAM_U48 wins when both are. */
    public static LamMode fromCr3(long cr3) {
        return (cr3 & CR3_LAM_U48) != 0 ? LAM_U48 : (cr3 & CR3_LAM_U57) != 0 ? LAM_U57 : OFF;
    }

    @Override
    public Optional<VirtAddr> untag(long pointer) {
        return LamTranslator.untag(this, pointer, LamTranslator.Bug.NONE);
    }
}
