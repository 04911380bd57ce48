package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The exhaustive models of the page tables, one per architecture ({@code models/paging-x86_64},
 * {@code models/paging-aarch64}, {@code models/paging-riscv}), each configuration naming a
 * format. Every reachable state of a tiny PageMapper is explored: a few base pages and one huge
 * page over them (so maps collide, huge pages split, tables are created and reclaimed), each
 * mapped, unmapped and re-protected with read-only, read-write, read-execute and the W+X request
 * that must be refused, and a table allocator small enough to run out. Every state must satisfy
 * every {@link PagingInvariants} ({@link PagingInvariants#WITH_LIFECYCLE}), and every rejected action
 * must leave the state unchanged. Every free table frame holds what its previous owner left, and
 * the CPUs' paging-structure caches ({@link PagingStructureCaches}) are filled after every action,
 * so PTL-1 and PTL-2 are checked at every state.
 *
 * <p>Bounds: {@code format} ({@link PteFormat#name()}), {@code pages} (base pages at the start
 * of the window), {@code huge} (1 to add the huge page covering them), {@code kernel} (1 to add a
 * base page in the upper half), {@code tables} (table frames the allocator holds, in tables,
 * roots included), {@code bug} (a seeded {@link PageMapper.Bug}, default NONE), {@code remap}
 * (1 to add {@link PageMapper#remap} of every page to another frame with every request; default
 * 0, so the recorded model configurations are unchanged; the W^X inductiveness check sets it),
 * {@code wide} (1 to add a base page at {@link PagingScope#WIDE}, 2^47: mapped in its own subtree
 * under 5-level paging, refused as NON_CANONICAL under every narrower mode; default 0).
 */
public final class PagingModels {
    private PagingModels() {
    }

    /** The three models, by architecture. */
    public static List<ExhaustiveModel> all() {
        return List.of(model("paging-x86_64"), model("paging-aarch64"), model("paging-riscv"));
    }

    private static ExhaustiveModel model(String name) {
        return new ExhaustiveModel() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String component() {
                return "paging";
            }

            @Override
            public TransitionSystem<?> build(Bounds bounds) {
                return system(bounds);
            }
        };
    }

    /** The pages the model acts on for these bounds. */
    public static List<Page> pages(PteFormat f, Bounds b) {
        List<Page> out = new ArrayList<>();
        PageSize base = f.pageSizes().get(0);
        for (int k = 0; k < b.getInt("pages", 2); k++) {
            out.add(Page.of(PagingScope.WINDOW + k * base.bytes(), base));
        }
        if (b.getInt("huge", 1) == 1) {
            out.add(Page.of(PagingScope.WINDOW, f.pageSizes().get(1)));
        }
        if (b.getInt("kernel", 0) == 1) {
            out.add(Page.of(-(1L << 47), base));
        }
        if (b.getInt("wide", 0) == 1) {
            out.add(Page.of(PagingScope.WIDE, base));
        }
        return out;
    }

    /** The flag requests every page is mapped and re-protected with. */
    public static List<PageFlags> requests(PteFormat f) {
        return List.of(PagingScope.R, PagingScope.fit(f, PagingScope.RW), PagingScope.RX, PagingScope.fit(f, PagingScope.RWX));
    }

    /** The frame page {@code p} maps to: window pages map the window's frames in order, so a huge page and its pieces agree. */
    static PhysFrame frameFor(Page p) {
        long offset = p.start().value() - PagingScope.WINDOW;
        return offset >= 0 && offset < PagingScope.WINDOW ? PagingScope.frame(PageSize.KIB_4, 0).plus(offset >>> PhysFrame.SHIFT)
                : PagingScope.frame(PageSize.GIB_1, 1);
    }

    /** The transition system for {@code b}. */
    public static ActionSystem<PageMapper> system(Bounds b) {
        PteFormat f = PagingFormats.byName(b.get("format"));
        PageMapper.Bug bug = PageMapper.Bug.valueOf(b.get("bug", "NONE"));
        FrameRange managed = PagingScope.tableFrames(f, b.getInt("tables", f.roots() + 4));
        List<Page> pages = pages(f, b);
        List<PageFlags> requests = requests(f);
        boolean remap = b.getInt("remap", 0) == 1;
        java.util.function.Supplier<List<PageMapper>> initial = () -> {
            PhysicalMemory memory = new PhysicalMemory();
            ReferenceFrameAllocator allocator = new ReferenceFrameAllocator(managed);
            PagingStructureCaches.scribble(memory, managed, allocator);
            PagingStructureCaches caches = new PagingStructureCaches(TlbFlushSink.NONE, memory);
            PageMapper m = new PageMapper(f, memory, allocator, caches);
            m.bug = bug;
            caches.fill(m);
            return List.of(m);
        };
        return ActionSystem.of("paging " + b, initial, m -> copy(m, managed), PagingModels::key,
                m -> actions(pages, requests, remap), PagingInvariants.WITH_LIFECYCLE)
                .withCodec(new PagingCodec(() -> initial.get().get(0), managed));
    }

    /**
     * The state as a value: the mapper's, and the paging-structure caches when modelled. For a
     * mapper that flushes what it frees the caches hold exactly what is reachable, and every free
     * frame holds its previous owner's word, so the state graph has the shape it had before
     * either was modelled (the manifests' counts).
     */
    static Object key(PageMapper m) {
        return m.tlbSink() instanceof PagingStructureCaches c ? List.of(m.stateKey(), c.stateKey()) : m.stateKey();
    }

    /** After every action the CPUs may have walked the new tree: the caches are filled at every state. */
    private static void walked(PageMapper m) {
        if (m.tlbSink() instanceof PagingStructureCaches c) {
            c.fill(m);
        }
    }

    static List<ActionSystem.Action<PageMapper>> actions(List<Page> pages, List<PageFlags> requests, boolean remap) {
        List<ActionSystem.Action<PageMapper>> out = new ArrayList<>();
        for (Page p : pages) {
            for (PageFlags fl : requests) {
                out.add(new ActionSystem.Action<>("map(" + p + ", " + fl + ")", m -> {
                    m.map(p, frameFor(p), fl);
                    walked(m);
                }));
            }
            out.add(new ActionSystem.Action<>("unmap(" + p + ")", m -> {
                m.unmap(p);
                walked(m);
            }));
            for (PageFlags fl : requests) {
                out.add(new ActionSystem.Action<>("updateFlags(" + p + ", " + fl + ")", m -> {
                    m.updateFlags(p, fl);
                    walked(m);
                }));
            }
            if (remap) {
                PhysFrame to = remapFrame(p);
                for (PageFlags fl : requests) {
                    out.add(new ActionSystem.Action<>("remap(" + p + ", " + to + ", " + fl + ")", m -> {
                        m.remap(p, to, fl);
                        walked(m);
                    }));
                }
            }
        }
        return out;
    }

    /** The frame a remap moves page {@code p} to (as a copy-on-write break would): a data frame aligned to {@code p}, not {@link #frameFor}. */
    static PhysFrame remapFrame(Page p) {
        return PagingScope.frame(p.size(), REMAP_FRAME_INDEX);
    }

    /** Which of {@link PagingScope#frame}'s frames remap targets: index 2 differs from {@link #frameFor} of every window page of the scopes (base pages 0 and 1, the huge page at 0). */
    private static final int REMAP_FRAME_INDEX = 2;

    /** A deep copy: memory, a reference allocator with the same live runs, the caches, and the mapper's bookkeeping. */
    static PageMapper copy(PageMapper m, FrameRange managed) {
        ReferenceFrameAllocator a = new ReferenceFrameAllocator(managed);
        for (Map.Entry<Long, Long> run : ((ReferenceFrameAllocator) m.allocator()).live().entrySet()) {
            a.take(FrameRange.of(run.getKey(), run.getValue()));
        }
        PhysicalMemory memory = m.memory().copy();
        TlbFlushSink sink = m.tlbSink() instanceof PagingStructureCaches c ? c.copy(TlbFlushSink.NONE, memory) : TlbFlushSink.NONE;
        return m.copy(memory, a, sink);
    }
}
