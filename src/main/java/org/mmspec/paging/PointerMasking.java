package org.mmspec.paging;

import java.util.Optional;

/**
 * A per-address-space mode of address pre-processing that lets user pointers carry metadata in
 * bits the walk ignores: x86_64 Linear Address Masking ({@code org.mmspec.hwsec.x86_64.LamMode})
 * and, on AArch64, Top Byte Ignore. The walk ({@link Mmu}) then translates {@link #untag}'s
 * result, never the raw pointer.
 *
 * <p>Contract (spec/hardware-security.md, LAM-1..LAM-3): two user pointers that differ only in
 * bits of {@link #userMetadataMask()} untag to the same address; a bit outside the mask is never
 * ignored; a pointer is accepted exactly when it is canonical after its metadata bits are cleared;
 * kernel (upper-half) pointers are untagged by no mode that leaves supervisor masking off.
 */
public interface PointerMasking {
    /** A short name, such as {@code LAM_U57}. */
    String name();

    /** The bits of a user pointer that translation ignores in this mode (0 when masking is off). */
    long userMetadataMask();

    /** The address the walk translates for {@code pointer}, or empty if the hardware rejects it (#GP). */
    Optional<VirtAddr> untag(long pointer);
}
