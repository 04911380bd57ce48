package org.mmspec.fault;

import java.util.Optional;

import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Pte;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmError;

/**
 * The seed's {@code handle_page_fault}: finds the area, classifies the fault, and resolves it.
 *
 * <pre>
 * let vma = find_vma(addr)?;
 * match vma.fault_type(addr, error_code) {
 *     DemandPage  =&gt; allocate_and_map(addr, vma),
 *     CopyOnWrite =&gt; copy_and_remap(addr, vma),
 *     StackGrowth =&gt; extend_stack(addr, vma),
 *     Invalid     =&gt; Err(SegmentationFault),
 * }
 * </pre>
 *
 * <p>Order of checks (as Linux's x86 {@code do_user_addr_fault}): canonical, user/kernel half,
 * area lookup with stack growth for an address below a grows-down area (stack limit, then the
 * guard gap to the next accessible area below), the access against the area's protection
 * ({@code access_error}), then the translation: absent means demand paging, present without write
 * on a writable area means copy-on-write, present without exec in a W+X area (PERMIT only) means
 * the W^X exec flip, present and permitting means spurious. Every rejection
 * and out-of-memory happens before the first change, so a failed fault changes nothing.
 */
public final class PageFaultHandler {
    private PageFaultHandler() {
    }

    /**
     * Handles a fault at {@code addr} in {@code as}.
     *
     * @throws SegmentationFault for an invalid access; nothing changes
     * @throws VmError OUT_OF_MEMORY when a frame is needed and none is free; nothing changes
     */
    public static FaultType handle(AddressSpace as, FaultAddr addr, PageFaultError error) {
        if (!addr.isCanonical()) {
            throw SegmentationFault.of(SegmentationFault.Kind.NON_CANONICAL, "%s is not canonical", addr);
        }
        if (!addr.isUser()) {
            throw SegmentationFault.of(SegmentationFault.Kind.KERNEL_ADDRESS, "%s access to kernel address %s",
                    error.user() ? "user" : "kernel", addr);
        }
        long page = addr.page();
        Optional<Vma> found = as.areaAt(page);
        Vma stack = null;
        if (found.isEmpty()) {
            stack = growableStack(as, page, addr);
        }
        Vma vma = found.orElse(stack);
        if (!permits(vma, error.access())) {
            throw SegmentationFault.of(SegmentationFault.Kind.ACCERR, "%s at %s: area %s does not allow it",
                    error.access(), addr, vma);
        }
        Optional<Pte> pte = as.translation(page);
        if (pte.isEmpty()) {
            requireFreeFrame(as, addr);
            if (stack != null) {
                as.growStackAndFault(stack, page);
                execPhaseFor(as, page, vma, error.access());
                return FaultType.STACK_GROWTH;
            }
            as.installZeroPage(page);
            execPhaseFor(as, page, vma, error.access());
            return FaultType.DEMAND_PAGE;
        }
        Pte p = pte.get();
        if (allows(p, error.access())) {
            return FaultType.SPURIOUS;
        }
        if (error.access() == Access.WRITE && !p.write()) {
            if (vma.flags().shared() || as.frames().refCount(p.frame()) == 1) {
                as.reuseForWrite(page);
                return FaultType.COPY_ON_WRITE_REUSE;
            }
            requireFreeFrame(as, addr);
            as.copyOnWrite(page);
            return FaultType.COPY_ON_WRITE;
        }
        if (error.access() == Access.EXECUTE && !p.exec() && vma.prot().isWriteExec()) {
            as.execFlip(page);
            return FaultType.WX_EXEC_FLIP;
        }
        throw new IllegalStateException("translation " + p + " at " + addr + " denies " + error.access()
                + " that area " + vma + " allows (AS-2 guarantees it cannot)");
    }

    /**
     * A user access: the software MMU walks the real page-table bits, and only if the hardware
     * would fault is the handler called (with the error code the walk implies).
     */
    public static Optional<FaultType> access(AddressSpace as, FaultAddr addr, Access access) {
        if (addr.isUser()) {
            if (as.hardwareAllows(addr.page(), hardware(access))) {
                return Optional.empty();
            }
            return Optional.of(handle(as, addr, PageFaultError.user(as.translation(addr.page()).isPresent(), access)));
        }
        return Optional.of(handle(as, addr, PageFaultError.user(false, access)));
    }

    /**
     * A page just mapped in a W+X area starts in its write phase ({@code Pte.wxSplit}); an
     * instruction fetch needs the exec phase at once. The flip needs no frame, so once the page
     * is mapped it cannot fail, and the fault stays one atomic step.
     */
    private static void execPhaseFor(AddressSpace as, long page, Vma vma, Access access) {
        if (access == Access.EXECUTE && vma.prot().isWriteExec() && !as.translation(page).orElseThrow().exec()) {
            as.execFlip(page);
        }
    }

    /** The stack area that would grow down to {@code page}, or a SegmentationFault saying why not. */
    private static Vma growableStack(AddressSpace as, long page, FaultAddr addr) {
        Optional<Vma> above = as.areaAbove(page);
        if (above.isEmpty() || !above.get().flags().growsDown()) {
            throw SegmentationFault.of(SegmentationFault.Kind.MAPERR, "no area at %s", addr);
        }
        Vma stack = above.get();
        if (page < as.layout().stackFloor() || page < as.layout().minPage()) {
            throw SegmentationFault.of(SegmentationFault.Kind.STACK_LIMIT,
                    "%s is below the stack limit (lowest stack page %d)", addr, as.layout().stackFloor());
        }
        Optional<Vma> below = as.areaBelow(page);
        if (below.isPresent() && below.get().prot().readable() && !below.get().flags().growsDown()
                && page - below.get().end() < as.layout().guardGapPages()) {
            throw SegmentationFault.of(SegmentationFault.Kind.GUARD_GAP,
                    "growing %s to %s would leave less than %d guard page(s) above %s", stack, addr,
                    as.layout().guardGapPages(), below.get());
        }
        return stack;
    }

    private static org.mmspec.paging.Access hardware(Access a) {
        return switch (a) {
            case READ -> org.mmspec.paging.Access.userRead();
            case WRITE -> org.mmspec.paging.Access.userWrite();
            case EXECUTE -> org.mmspec.paging.Access.userExecute();
        };
    }

    private static void requireFreeFrame(AddressSpace as, FaultAddr addr) {
        if (as.frames().allocator().freeFrames() == 0) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "fault at %s: no free frame", addr);
        }
    }

    private static boolean permits(Vma v, Access a) {
        return switch (a) {
            case READ -> v.prot().readable();
            case WRITE -> v.prot().write();
            case EXECUTE -> v.prot().exec();
        };
    }

    private static boolean allows(Pte p, Access a) {
        return switch (a) {
            case READ -> p.read();
            case WRITE -> p.write();
            case EXECUTE -> p.exec();
        };
    }
}
