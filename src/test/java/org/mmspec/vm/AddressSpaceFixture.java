package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;

/**
 * What the mremap, move and edge tests share: one system {@link #sys} and its first address space
 * {@link #as}, which each test class builds in its own way, driven a page at a time (page numbers,
 * not byte addresses), with every access taken through the page-fault handler as a user program's
 * would be; refusals checked for their kind, errno and message and for leaving the whole system
 * unchanged (ATOMIC-1); and frames held back from the allocator to make a call run short.
 */
abstract class AddressSpaceFixture {
    static final long P = Vma.PAGE_SIZE;
    static final long H = AddressSpace.PMD_PAGES;
    /** MREMAP_MAYMOVE | MREMAP_FIXED. */
    static final RemapFlags FIXED = new RemapFlags(true, true, false, false);
    VmSystem sys;
    AddressSpace as;
    /** Frames taken from the allocator by {@link #leaveFree}; {@link #giveBack} returns them. */
    private final List<PhysFrame> taken = new ArrayList<>();

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

    /** The IDs of the vm invariants the system breaks, once any frames held back are given back. */
    List<String> broken() {
        giveBack();
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    /** Refused with {@code kind}, {@code errno} and a message containing {@code message}, and nothing changed. */
    void rejected(String what, Runnable call, VmError.Kind kind, String errno, String message) {
        Object before = sys.key();
        assertThatThrownBy(call::run).as(what).hasMessageContaining(message).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).as(what).isEqualTo(kind);
            assertThat(e.errno()).as(what).isEqualTo(errno);
        });
        assertThat(sys.key()).as(what + " changed nothing, memory included (ATOMIC-1)").isEqualTo(before);
    }

    void rejected(String what, Runnable call, VmError.Kind kind, String errno) {
        rejected(what, call, kind, errno, "");
    }

    void outOfMemory(String what, Runnable call) {
        rejected(what, call, VmError.Kind.OUT_OF_MEMORY, "ENOMEM");
    }

    long free() {
        return sys.frames().allocator().freeFrames();
    }

    /** Takes frames from the allocator until {@code n} are free. */
    void leaveFree(long n) {
        taken.clear();
        while (free() > n) {
            taken.add(sys.frames().allocator().allocate());
        }
    }

    void giveBack() {
        taken.forEach(f -> sys.frames().allocator().free(f));
        taken.clear();
    }
}
