package org.mmspec.fault;

import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;

/**
 * The faulting virtual address ({@code CR2}): any 64-bit value, since a user program can touch
 * kernel or non-canonical addresses too. x86_64 4-level paging: canonical means bits 63..47 are
 * all equal; the lower half is user space, the upper half the kernel's.
 *
 * @param value the address as the CPU reports it
 */
public record FaultAddr(long value) {
    /** Bits of virtual address under 4-level paging. */
    public static final int VIRT_BITS = 48;

    public static FaultAddr of(long value) {
        return new FaultAddr(value);
    }

    public static FaultAddr of(UserAddr a) {
        return new FaultAddr(a.value());
    }

    public static FaultAddr ofPage(long page) {
        return new FaultAddr(page << Vma.PAGE_SHIFT);
    }

    public boolean isCanonical() {
        return (value >> (VIRT_BITS - 1)) == 0 || (value >> (VIRT_BITS - 1)) == -1;
    }

    /** In the lower canonical half. */
    public boolean isUser() {
        return value >= 0 && value < UserAddr.LIMIT;
    }

    public long page() {
        return value >>> Vma.PAGE_SHIFT;
    }

    @Override
    public String toString() {
        return String.format("0x%x", value);
    }
}
