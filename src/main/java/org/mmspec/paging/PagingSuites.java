package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.CheckSuite;

/** The page-table rows of the {@code mmspec check} table. */
public final class PagingSuites {
    /** Steps per stateful run. */
    public static final int STEPS = 40;

    private PagingSuites() {
    }

    /**
     * A model-based stateful suite per format (table frames from the reference allocator), one
     * with table frames from a HybridAllocator, and the bounded inductiveness check of W^X per
     * format.
     */
    public static List<CheckSuite> all() {
        List<CheckSuite> out = new ArrayList<>();
        for (PteFormat f : PagingFormats.all()) {
            out.add(CheckSuite.stateful("paging", new PagingMachine(f), STEPS));
        }
        // Once with the production allocator: PT-5 then asks a HybridAllocator whether table frames are free.
        out.add(CheckSuite.stateful("paging", new PagingMachine(PagingFormats.all().get(0), PagingMachine.TableAllocator.HYBRID), STEPS));
        // The kernel image against its W^X section table (KWX-1), per format.
        for (PteFormat f : PagingFormats.all()) {
            out.add(CheckSuite.stateful("paging", new KernelImageMachine(f), STEPS));
        }
        for (PteFormat f : PagingFormats.all()) {
            out.add(CheckSuite.inductive("paging", WxInductiveness.name(f), () -> WxInductiveness.scope(f),
                    () -> WxInductiveness.system(f)));
        }
        return out;
    }
}
