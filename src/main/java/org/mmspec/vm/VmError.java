package org.mmspec.vm;

import org.mmspec.check.KindedException;

/**
 * A rejected address-space operation. The address space is exactly as it was before the call
 * (ATOMIC-1). Each error carries the errno Linux returns for the same input, so the replay
 * harness can compare a rejection with what strace recorded.
 */
public final class VmError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why an address-space operation was rejected. */
    public enum Kind {
        /** A length of zero where Linux rejects it (mmap, munmap). */
        ZERO_LENGTH,
        /** An address or file offset that must be page-aligned is not. */
        MISALIGNED,
        /** Flags that do not name exactly one of MAP_PRIVATE and MAP_SHARED, or an unknown PROT bit. */
        BAD_FLAGS,
        /** The range leaves user space or wraps around. */
        OUT_OF_RANGE,
        /** MAP_FIXED below {@code mmap_min_addr}. */
        BELOW_MIN_ADDR,
        /** No free gap is large enough. */
        NO_SPACE,
        /** Part of the range is not mapped (mprotect). */
        NOT_MAPPED,
        /**
         * mremap's EFAULT: no area contains the old address, or the old range runs past the end of
         * the area that does (an mremap never spans areas).
         */
        BAD_ADDRESS,
        /** mremap's EINVAL for a move whose old and new ranges share a page. */
        OVERLAP,
        /**
         * mremap would move a grows-down (stack) area; the spec keeps each space's one stack below
         * its stack top (AS-5), where Linux would move it (an intended divergence, EINVAL).
         */
        STACK_MOVE,
        /**
         * A 2 MiB range that cannot become one huge page: the format has no 2 MiB leaf, or the range
         * is not inside one private anonymous area (not W+X), or not fully populated with
         * exclusive pages of equal rights.
         */
        NOT_HUGE_ELIGIBLE,
        /**
         * mremap would grow a MAP_HUGETLB area (Linux's EINVAL: the hugetlb reservation cannot be
         * split), or move it with MREMAP_DONTUNMAP (VM_DONTEXPAND).
         */
        HUGETLB_RESIZE,
        /** MAP_FIXED_NOREPLACE over an existing mapping. */
        EXISTS,
        /** A request that would make memory both writable and executable (W^X). */
        WX_VIOLATION,
        /** No physical frame left to back a page. */
        OUT_OF_MEMORY
    }

    private final String errno;

    public VmError(Kind kind, String errno, String format, Object... args) {
        super(kind, format, args);
        this.errno = errno;
    }

    public static VmError of(Kind kind, String errno, String format, Object... args) {
        return new VmError(kind, errno, format, args);
    }

    /** The errno name Linux returns for this input ({@code EINVAL}, {@code ENOMEM}, ...). */
    public String errno() {
        return errno;
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
