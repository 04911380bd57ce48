package org.mmspec.vm;

import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;

/**
 * What the mremap and move tests share: one address space {@link #as}, which each test class
 * builds in its own way, driven a page at a time (page numbers, not byte addresses), with every
 * access taken through the page-fault handler as a user program's would be.
 */
abstract class AddressSpaceFixture {
    static final long P = Vma.PAGE_SIZE;
    AddressSpace as;

    /** A private anonymous MAP_FIXED mapping of {@code pages} pages at page {@code page}. */
    void fixed(long page, long pages, Prot prot) {
        as.mmap(UserAddr.ofPage(page), pages * P, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    void write(long page, long word) {
        PageFaultHandler.access(as, FaultAddr.ofPage(page), Access.WRITE);
        as.store(page, word);
    }

    long read(long page) {
        PageFaultHandler.access(as, FaultAddr.ofPage(page), Access.READ);
        return as.load(page);
    }

    /** mremap in pages; {@code to} is the new address's page (MREMAP_FIXED or DONTUNMAP's hint), or null. */
    UserAddr remap(long page, long oldPages, long newPages, RemapFlags flags, Long to) {
        return as.mremap(UserAddr.ofPage(page), oldPages * P, newPages * P, flags, to == null ? null : UserAddr.ofPage(to));
    }
}
