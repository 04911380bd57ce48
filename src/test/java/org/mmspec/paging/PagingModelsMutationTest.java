package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.StateCodec;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * What the paging exhaustive models build, beyond their state counts ({@link PagingQuickChecksTest}):
 * the optional wide page, the default table budget, the window's first frame, the caches refilled
 * after a split by unmap, updateFlags and remap (so PTL-2 sees the new table), and the state codec's
 * round trip.
 */
class PagingModelsMutationTest {

    private static final String BOUNDS = "format=x86_64,pages=2,huge=1,remap=1";

    @Test
    void theWidePageIsAddedOnlyWhenAsked() {
        PteFormat f = X86_64Pte.FORMAT;
        assertThat(PagingModels.pages(f, Bounds.parse("format=x86_64,wide=1"))).last()
                .isEqualTo(Page.of(PagingScope.WIDE, PageSize.KIB_4));
        assertThat(PagingModels.pages(f, Bounds.parse("format=x86_64"))).doesNotContain(Page.of(PagingScope.WIDE, PageSize.KIB_4));
    }

    @Test
    void theWindowsFirstPageMapsTheFirstDataFrame() {
        assertThat(PagingModels.frameFor(Page.of(PagingScope.WINDOW, PageSize.KIB_4))).isEqualTo(PhysFrame.of(PagingScope.DATA_FRAME_BASE));
        assertThat(PagingModels.frameFor(Page.of(PagingScope.WINDOW, PageSize.MIB_2))).isEqualTo(PhysFrame.of(PagingScope.DATA_FRAME_BASE));
    }

    /** Without a tables bound the allocator holds the roots and four tables more. */
    @Test
    void theDefaultTableBudgetIsTheRootsAndFourMore() {
        for (String name : List.of("x86_64", "aarch64-4k")) {
            PteFormat f = PagingFormats.byName(name);
            PageMapper m = PagingModels.system(Bounds.parse("format=" + name)).initialStates().get(0);
            assertThat(m.roots()).hasSize(f.roots());
            assertThat(m.allocator().freeFrames()).as(name).isEqualTo(4L * f.tableFrames());
        }
    }

    private static ActionSystem.Action<PageMapper> action(String prefix) {
        PteFormat f = X86_64Pte.FORMAT;
        Bounds b = Bounds.parse(BOUNDS);
        return PagingModels.actions(PagingModels.pages(f, b), PagingModels.requests(f), true).stream()
                .filter(a -> a.label().startsWith(prefix)).findFirst().orElseThrow();
    }

    /** The state after mapping the 2 MiB page over the window, read-only. */
    private static PageMapper withHugePage() {
        PageMapper m = PagingModels.system(Bounds.parse(BOUNDS)).initialStates().get(0);
        action("map(0x0000000040000000/2 MiB, PRESENT|USER|ACCESSED|NO_EXECUTE)").effect().accept(m);
        assertThat(m.mappings()).hasSize(1);
        return m;
    }

    /** After each action the CPUs may have walked every pointer of the new tree, the new last-level table's included. */
    private static void assertCachesHoldEveryPointer(PageMapper m) {
        PagingStructureCaches reachable = new PagingStructureCaches(TlbFlushSink.NONE, m.memory());
        reachable.fill(m);
        PagingStructureCaches caches = (PagingStructureCaches) m.tlbSink();
        assertThat(reachable.entries()).hasSize(3);
        assertThat(caches.entries()).containsAll(reachable.entries());
    }

    @Test
    void unmapThatSplitsRefillsTheCaches() {
        PageMapper m = withHugePage();
        action("unmap(0x0000000040000000/4 KiB)").effect().accept(m);
        assertCachesHoldEveryPointer(m);
    }

    @Test
    void updateFlagsThatSplitsRefillsTheCaches() {
        PageMapper m = withHugePage();
        action("updateFlags(0x0000000040000000/4 KiB, PRESENT|USER|ACCESSED|NO_EXECUTE)").effect().accept(m);
        assertCachesHoldEveryPointer(m);
    }

    @Test
    void remapThatSplitsRefillsTheCaches() {
        PageMapper m = withHugePage();
        action("remap(0x0000000040000000/4 KiB,").effect().accept(m);
        assertCachesHoldEveryPointer(m);
    }

    /** A state written by the model's codec reads back as a state with the same key, caches included. */
    @Test
    void theCodecReadsBackTheStateItWrote() throws IOException {
        ActionSystem<PageMapper> system = PagingModels.system(Bounds.parse(BOUNDS));
        PageMapper m = withHugePage();
        action("unmap(0x0000000040000000/4 KiB)").effect().accept(m);
        StateCodec<PageMapper> codec = system.codec();
        for (int round = 0; round < 2; round++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            codec.write(m, new DataOutputStream(bytes));
            PageMapper back = codec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(system.key(back)).isEqualTo(system.key(m));
            assertThat(back.mappings()).isEqualTo(m.mappings());
            assertThat(back.tlbSink()).isInstanceOf(PagingStructureCaches.class);
        }
    }
}
