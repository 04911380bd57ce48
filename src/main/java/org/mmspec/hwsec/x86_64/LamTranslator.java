package org.mmspec.hwsec.x86_64;

import java.util.Optional;

import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The linear-address pre-processing step of the x86_64 MMU under LAM: mask, then the canonical
 * check. {@link LamMode#untag} is this with no seeded bug; the bugs show LAM-1..LAM-3 can fail.
 */
public final class LamTranslator {
    /** Seeded bugs. NONE in every real use. */
    public enum Bug {
        NONE,
        /** Bit 63 is masked along with the metadata: a supervisor pointer becomes a user one (LAM-2). */
        MASKS_BIT_63,
        /** Supervisor pointers are masked too, by sign extension, as if CR4.LAM_SUP were set (LAM-2). */
        MASKS_KERNEL,
        /** LAM_U57 masks only bits 61:57, so a pointer with bit 62 set faults (LAM-1). */
        U57_MISSES_BIT_62,
        /** LAM_U48 masks bit 47 as well: a bit outside the metadata is ignored (LAM-3). */
        U48_MASKS_BIT_47,
        /** No canonical check after masking: bits 56:47 under LAM_U57 go unchecked (LAM-3). */
        SKIPS_CANONICAL_CHECK
    }

    private LamTranslator() {
    }

    /** The address translated for {@code pointer} under {@code mode}, or empty for #GP. */
    public static Optional<VirtAddr> untag(LamMode mode, long pointer, Bug bug) {
        long mask = mode.userMetadataMask();
        if (bug == Bug.U48_MASKS_BIT_47 && mode == LamMode.LAM_U48) {
            mask |= 1L << 47;
        }
        if (bug == Bug.U57_MISSES_BIT_62 && mode == LamMode.LAM_U57) {
            mask &= ~(1L << 62);
        }
        if (bug == Bug.MASKS_BIT_63 && mode != LamMode.OFF) {
            mask |= LamMode.SUPERVISOR_BIT;
        }
        long addr = pointer;
        boolean supervisor = (pointer & LamMode.SUPERVISOR_BIT) != 0;
        if (!supervisor || bug == Bug.MASKS_BIT_63) {
            addr = pointer & ~mask;
        } else if (bug == Bug.MASKS_KERNEL && mode != LamMode.OFF) {
            addr = pointer | mode.userMetadataMask();
        }
        if (bug == Bug.SKIPS_CANONICAL_CHECK && !supervisor && mode != LamMode.OFF) {
            addr &= (1L << 47) - 1;
        }
        return VirtAddr.isCanonical(addr, X86_64Pte.FORMAT.vaBits()) ? Optional.of(VirtAddr.of(addr)) : Optional.empty();
    }
}
