package org.mmspec.paging;

import java.util.Objects;

/**
 * A virtual page: a size-aligned run of {@code size} bytes starting at {@code start}.
 *
 * @param start the first byte, a multiple of {@code size}
 * @param size the page size
 */
public record Page(VirtAddr start, PageSize size) implements Comparable<Page> {
    public Page {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(size, "size");
        if (!start.isAligned(size.bytes())) {
            throw PagingError.of(PagingError.Kind.MISALIGNED, "%s is not aligned to %s", start, size);
        }
    }

    /** The 4 KiB page containing {@code addr} (the seed's {@code Page::containing_address}). */
    public static Page containing(VirtAddr addr) {
        return containing(addr, PageSize.KIB_4);
    }

    /** The page of {@code size} containing {@code addr}. */
    public static Page containing(VirtAddr addr, PageSize size) {
        return new Page(addr.alignDown(size.bytes()), size);
    }

    public static Page of(long start, PageSize size) {
        return new Page(VirtAddr.of(start), size);
    }

    /** The 4 KiB page at {@code start}. */
    public static Page of4k(long start) {
        return of(start, PageSize.KIB_4);
    }

    /** The last byte's address, as an unsigned value. */
    public long lastByte() {
        return start.value() + size.bytes() - 1;
    }

    public boolean contains(VirtAddr a) {
        return Long.compareUnsigned(a.value(), start.value()) >= 0 && Long.compareUnsigned(a.value(), lastByte()) <= 0;
    }

    /** Whether {@code other} lies entirely inside this page. */
    public boolean contains(Page other) {
        return contains(other.start) && Long.compareUnsigned(other.lastByte(), lastByte()) <= 0;
    }

    public boolean overlaps(Page other) {
        return Long.compareUnsigned(start.value(), other.lastByte()) <= 0
                && Long.compareUnsigned(other.start.value(), lastByte()) <= 0;
    }

    @Override
    public int compareTo(Page o) {
        int c = start.compareTo(o.start);
        return c != 0 ? c : size.compareTo(o.size);
    }

    @Override
    public String toString() {
        return start + "/" + size;
    }
}
