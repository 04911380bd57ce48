package org.mmspec.hwsec.aarch64;

import org.mmspec.check.KindedException;

/**
 * A rejected or faulting operation of the AArch64 security model ({@link ArmMm}, {@link MteSlab}).
 * The state is exactly as it was before the operation (a synchronous fault is taken before the
 * access is performed).
 */
public final class ArmSecError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why an operation was rejected. */
    public enum Kind {
        /** Bits above the 48-bit VA that translation does not ignore are not all equal to bit 55 (address-size / translation fault). */
        NON_CANONICAL,
        /** A TTBR1 (kernel) pointer whose top byte is not 0xFF: TBI1 is off, kernel pointers carry no metadata. */
        KERNEL_METADATA,
        /** A user operation on a kernel address, or a page outside the model's user range. */
        NOT_USER,
        /** No translation for the page (translation fault). */
        NOT_MAPPED,
        /** The page is already mapped. */
        ALREADY_MAPPED,
        /** No free frame. */
        OUT_OF_MEMORY,
        /** No such process. */
        NO_SUCH_PROCESS,
        /** The model's bound on processes or execs is reached. */
        LIMIT,
        /** A CPU number outside the machine, or a CPU that runs no process. */
        BAD_CPU,
        /** The process already runs on another CPU. */
        PROCESS_RUNNING,
        /** A synchronous tag-check fault: the pointer tag differs from the granule's allocation tag. */
        TAG_CHECK_FAULT,
        /** A tag store to a page that is not Tagged Normal memory. */
        NOT_TAGGED,
        /** Not a live allocation of the tagged heap. */
        NOT_ALLOCATED,
        /** Every allocation tag is excluded for this block (the previous tags of its granules use them all). */
        TAGS_EXHAUSTED
    }

    public ArmSecError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static ArmSecError of(Kind kind, String format, Object... args) {
        return new ArmSecError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
