package org.mmspec.vm;

/**
 * A user-space virtual address, as the mmap family of system calls takes and returns it. Always in
 * the lower half of the x86_64 canonical space, {@code [0, 2^47)}; kernel addresses never reach
 * these calls (the fault handler takes them separately, see {@code org.mmspec.fault}).
 *
 * @param value the address in bytes
 */
public record UserAddr(long value) implements Comparable<UserAddr> {
    /** One past the largest user address: the lower canonical half of a 48-bit x86_64 space. */
    public static final long LIMIT = 1L << 47;

    public UserAddr {
        if (value < 0 || value >= LIMIT) {
            throw new IllegalArgumentException(String.format("0x%x is not a user address [0, 2^47)", value));
        }
    }

    public static UserAddr of(long value) {
        return new UserAddr(value);
    }

    /** The address of the first byte of virtual page {@code page}. */
    public static UserAddr ofPage(long page) {
        return new UserAddr(page << Vma.PAGE_SHIFT);
    }

    public boolean isPageAligned() {
        return (value & (Vma.PAGE_SIZE - 1)) == 0;
    }

    /** The virtual page number containing this address. */
    public long page() {
        return value >>> Vma.PAGE_SHIFT;
    }

    @Override
    public int compareTo(UserAddr o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        return String.format("0x%x", value);
    }
}
