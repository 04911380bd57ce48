package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.TransitionSystem;

/**
 * The alphabet of {@code models/vm-address-space} from a known state: which actions each bound
 * turns on, where every loop over pages, lengths and heap ends stops, and what an action does.
 * Rejected actions report no successor ({@link org.mmspec.check.ActionSystem}), so each label
 * asserted here is one that Linux accepts in that state.
 *
 * <p>{@code Layout.small(8)}: page 0 unmappable, the stack at page 7 (top 8, limit 3, guard gap
 * 1), the heap from page 2 with at most three pages.
 */
class VmModelMutationTest {

    private static TransitionSystem<VmSystem> model(String bounds) {
        return new VmModel().build(Bounds.parse(bounds));
    }

    /** Label to successor, in the order the model reports them. */
    private static Map<String, VmSystem> successors(TransitionSystem<VmSystem> ts, VmSystem s) {
        Map<String, VmSystem> out = new LinkedHashMap<>();
        ts.successors(s, (label, next) -> out.put(label.get(), next));
        return out;
    }

    private static VmSystem initial(TransitionSystem<VmSystem> ts) {
        assertThat(ts.initialStates()).hasSize(1);
        return ts.initialStates().get(0);
    }

    @Test
    void namesTheModelAndItsComponent() {
        assertThat(new VmModel().name()).isEqualTo("vm-address-space");
        assertThat(new VmModel().component()).isEqualTo("vm");
    }

    @Test
    void theBoundsShapeTheInitialSystem() {
        VmSystem s = initial(model("pages=8,frames=7,maxLen=2,processes=1"));
        assertThat(s.frames().allocator().managedFrames()).isEqualTo(7);
        assertThat(s.space(0).layout()).isEqualTo(Layout.small(8));
        assertThat(s.space(0).wxPolicy()).isEqualTo(AddressSpace.WxPolicy.ENFORCE);
        assertThat(s.frames().bug).isEqualTo(VmSystem.Bug.NONE);
        VmSystem p = initial(model("pages=9,frames=5,wx=permit,bug=WX_UNCHECKED"));
        assertThat(p.space(0).wxPolicy()).isEqualTo(AddressSpace.WxPolicy.PERMIT);
        assertThat(p.frames().bug).isEqualTo(VmSystem.Bug.WX_UNCHECKED);
        assertThat(p.space(0).layout()).isEqualTo(Layout.small(9));
        assertThat(p.frames().allocator().managedFrames()).isEqualTo(5);
        VmSystem d = initial(new VmModel().build(Bounds.parse("")));
        assertThat(d.space(0).layout()).as("8 pages by default").isEqualTo(Layout.small(8));
        assertThat(d.frames().allocator().managedFrames()).as("4 frames by default").isEqualTo(4);
    }

    @Test
    void everyLengthUpToMaxLenAndEveryPageIsOffered() {
        TransitionSystem<VmSystem> ts = model("pages=8,frames=7,maxLen=2,processes=1");
        Map<String, VmSystem> next = successors(ts, initial(ts));
        assertThat(next.keySet()).contains("mmap(NULL, 1, r--)", "mmap(NULL, 2, rw-)", "mmap(NULL, 2, r-x)",
                "mmap(1, 1, r--, FIXED)", "mmap(6, 2, rw-, FIXED)", "munmap(7, 1)", "mprotect(7, 1, r--)",
                "mprotect(7, 1, ---)", "READ(7)", "WRITE(7)", "brk(2)", "brk(3)", "brk(5)");
        assertThat(next.keySet()).as("maxLen and the heap limit bound the loops; W+X and page 0 are refused")
                .doesNotContain("mmap(NULL, 3, r--)", "brk(6)", "mmap(NULL, 1, rwx)", "mmap(0, 1, r--, FIXED)",
                        "fork()", "exit()")
                .noneMatch(l -> l.startsWith("P0.") || l.contains("SHARED") || l.startsWith("mremap"))
                .as("mprotect of no pages succeeds and changes nothing, so it is not offered")
                .noneMatch(l -> l.matches("mprotect\\(\\d+, 0, .*"));
        // What the actions do.
        assertThat(next.get("WRITE(7)").space(0).load(7)).isEqualTo(1);
        assertThat(next.get("mmap(1, 1, r--, FIXED)").space(0).areaAt(1).orElseThrow().prot()).isEqualTo(Prot.R);
        assertThat(next.get("mprotect(7, 1, ---)").space(0).areaAt(7).orElseThrow().prot()).isEqualTo(Prot.NONE);
        assertThat(next.get("munmap(7, 1)").space(0).areaAt(7)).isEmpty();
        assertThat(next.get("brk(5)").space(0).brk()).isEqualTo(UserAddr.ofPage(5));
        assertThat(next.get("mmap(NULL, 2, rw-)").space(0).areas()).hasSize(2);
    }

    @Test
    void permitOffersWriteExecMappings() {
        TransitionSystem<VmSystem> ts = model("pages=8,frames=7,maxLen=1,processes=1,wx=permit");
        assertThat(successors(ts, initial(ts)).keySet()).contains("mmap(NULL, 1, rwx)", "mprotect(7, 1, rwx)");
    }

    @Test
    void forkAndExitFollowTheProcessBound() {
        TransitionSystem<VmSystem> ts = model("pages=8,frames=12,maxLen=1,processes=2");
        Map<String, VmSystem> next = successors(ts, initial(ts));
        assertThat(next).containsKey("fork()");
        VmSystem forked = next.get("fork()");
        assertThat(forked.spaces()).hasSize(2);
        Map<String, VmSystem> after = successors(ts, forked);
        assertThat(after.keySet()).contains("P0.READ(7)", "P1.WRITE(7)", "P0.exit()", "P1.exit()", "P1.brk(3)")
                .doesNotContain("P0.fork()", "READ(7)");
        assertThat(after.get("P1.exit()").spaces()).hasSize(1);
        assertThat(after.get("P1.WRITE(7)").space(1).load(7)).isEqualTo(1);
        assertThat(after.get("P1.WRITE(7)").space(0).translation(7)).as("the parent never touched it").isEmpty();
    }

    @Test
    void sharedMappingsAreOfferedAnywhereAndAtEveryPageThatFits() {
        TransitionSystem<VmSystem> ts = model("pages=8,frames=7,maxLen=2,processes=1,shared=1");
        Map<String, VmSystem> next = successors(ts, initial(ts));
        assertThat(next.keySet()).contains("mmap(NULL, 1, rw-, SHARED)", "mmap(NULL, 2, rw-, SHARED)",
                "mmap(1, 1, rw-, SHARED|FIXED)", "mmap(6, 2, rw-, SHARED|FIXED)", "mmap(7, 1, rw-, SHARED|FIXED)");
        assertThat(next.get("mmap(1, 1, rw-, SHARED|FIXED)").space(0).areaAt(1).orElseThrow().flags().shared()).isTrue();
        assertThat(next.get("mmap(NULL, 1, rw-, SHARED)").space(0).areas().values())
                .anyMatch(v -> v.flags().shared());
    }

    @Test
    void remapOffersEveryFormFromEveryPage() {
        TransitionSystem<VmSystem> ts = model("pages=8,frames=7,maxLen=2,processes=1,remap=1");
        VmSystem mapped = successors(ts, initial(ts)).get("mmap(2, 2, rw-, FIXED)");
        Map<String, VmSystem> next = successors(ts, mapped);
        assertThat(next.keySet()).contains("mremap(2, 2, 1, 0)", "mremap(2, 2, 2, MAYMOVE)",
                "mremap(2, 2, 2, MAYMOVE|DONTUNMAP)", "mremap(2, 2, 2, MAYMOVE|FIXED, 4)", "mremap(3, 1, 1, MAYMOVE|FIXED, 6)");
        assertThat(next.get("mremap(2, 2, 1, 0)").space(0).areaAt(3)).isEmpty();
        assertThat(next.get("mremap(2, 2, 2, MAYMOVE|FIXED, 4)").space(0).areaAt(5)).isPresent();
        assertThat(next.get("mremap(2, 2, 2, MAYMOVE|FIXED, 4)").space(0).areaAt(2)).isEmpty();
        assertThat(next.get("mremap(2, 2, 2, MAYMOVE|DONTUNMAP)").space(0).areaAt(2)).isPresent();
    }

    /**
     * The huge-page scope on {@code Layout.small(3 * 512 + 8)}: ranges R1 = [512, 1024) and
     * R2 = [1024, 1536), a grid of 256 pages ({@code unit=2}), frames enough to populate and collapse.
     */
    @Test
    void theHugeScopeOffersPopulationCollapseAndHugetlbOverBothRanges() {
        TransitionSystem<VmSystem> ts = model("huge=1,frames=1600,processes=1");
        VmSystem init = initial(ts);
        assertThat(init.space(0).layout()).isEqualTo(Layout.small(3 * 512 + 8));
        Map<String, VmSystem> next = successors(ts, init);
        assertThat(next.keySet()).contains("populate(512)", "populate(1024)", "populate(768..1024, NORESERVE)",
                "populate(1280..1536, NORESERVE)", "populate+collapse(512)", "populate+collapse(1024)",
                "mmap(512, 512, rw-, HUGETLB|FIXED)", "mmap(1024, 512, rw-, HUGETLB|FIXED)+WRITE(1024)",
                "munmap(512..768)", "munmap(512..1536)", "munmap(1280..1536)")
                .doesNotContain("fork()", "munmap(512..640)", "populate(1536)");
        AddressSpace populated = next.get("populate(512)").space(0);
        assertThat(populated.translations().subMap(512L, 1024L)).hasSize(512);
        assertThat(populated.load(700)).isEqualTo(1);
        assertThat(populated.hugePages()).isEmpty();
        AddressSpace upper = next.get("populate(768..1024, NORESERVE)").space(0);
        assertThat(upper.areaAt(768).orElseThrow().flags().noReserve()).isTrue();
        assertThat(upper.areaAt(767)).isEmpty();
        assertThat(next.get("populate+collapse(1024)").space(0).hugePages()).containsExactly(1024L);
        AddressSpace hugetlb = next.get("mmap(1024, 512, rw-, HUGETLB|FIXED)+WRITE(1024)").space(0);
        assertThat(hugetlb.areaAt(1024).orElseThrow().flags().hugetlb()).isEqualTo(org.mmspec.paging.PageSize.MIB_2);
        assertThat(hugetlb.load(1024)).isEqualTo(1);
        assertThat(next.get("mmap(512, 512, rw-, HUGETLB|FIXED)").space(0).translations()).isEmpty();

        // A finer grid (unit=4: 128 pages), and fork with a second process allowed.
        Map<String, VmSystem> fine = successors(model("huge=1,unit=4,frames=1600,processes=2"),
                initial(model("huge=1,unit=4,frames=1600,processes=2")));
        assertThat(fine.keySet()).contains("munmap(512..640)", "populate(640..1024, NORESERVE)", "fork()");
        // Too few frames for a population: neither populate nor populate+collapse is offered.
        assertThat(successors(model("huge=1,frames=520,processes=1"), initial(model("huge=1,frames=520,processes=1"))).keySet())
                .noneMatch(l -> l.startsWith("populate")).contains("mmap(512, 512, rw-, HUGETLB|FIXED)");
    }
}
