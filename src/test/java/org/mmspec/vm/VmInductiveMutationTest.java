package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.TransitionSystem;

/**
 * How the inductive scope encodes an arrangement of areas (one digit of eleven per page: unmapped,
 * or a protection and VM_ACCOUNT, starting a new area or continuing the last), and the actions of
 * the inductive step, checked on single states rather than through the whole 11^4 scope.
 */
class VmInductiveMutationTest {
    private static final VmFlags ACCOUNTED = VmFlags.PRIVATE.withAccounted(true);

    private static Map<Long, Vma> areas(List<VmSystem> scope, int code) {
        return scope.get(code).space(0).areas();
    }

    @Test
    void theScopeIsElevenChoicesForEachOfFourPages() {
        List<VmSystem> scope = VmInductive.scope();
        assertThat(scope).hasSize(11 * 11 * 11 * 11);
        assertThat(VmInductive.layout().minPage()).isEqualTo(1);
        assertThat(VmInductive.layout().topPage()).isEqualTo(VmInductive.PAGES + 1);
        VmSystem empty = scope.get(0);
        assertThat(empty.space(0).areas()).as("not even the stack").isEmpty();
        assertThat(empty.frames().allocator().managedFrames()).isEqualTo(VmInductive.PAGES + 4);
        assertThat(empty.space(0).wxPolicy()).isEqualTo(AddressSpace.WxPolicy.ENFORCE);
        // Page 1's digit: 1, 2 r-- (new, continuing), 3, 4 r-- accounted, 5, 6 rw- (always accounted),
        // 7, 8 r-x, 9, 10 r-x accounted.
        assertThat(areas(scope, 1)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.R, VmFlags.PRIVATE)));
        assertThat(areas(scope, 2)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.R, VmFlags.PRIVATE)));
        assertThat(areas(scope, 3)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.R, ACCOUNTED)));
        assertThat(areas(scope, 5)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.RW, ACCOUNTED)));
        assertThat(areas(scope, 6)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.RW, ACCOUNTED)));
        assertThat(areas(scope, 7)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.RX, VmFlags.PRIVATE)));
        assertThat(areas(scope, 9)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.RX, ACCOUNTED)));
        assertThat(areas(scope, 10)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.RX, ACCOUNTED)));
        // Page 2 unmapped, page 2 only, two r-- pages as two areas, and as one.
        assertThat(areas(scope, 11)).containsExactly(Map.entry(2L, Vma.anonymous(2, 3, Prot.R, VmFlags.PRIVATE)));
        assertThat(areas(scope, 1 + 11)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.R, VmFlags.PRIVATE)),
                Map.entry(2L, Vma.anonymous(2, 3, Prot.R, VmFlags.PRIVATE)));
        assertThat(areas(scope, 1 + 2 * 11)).containsExactly(Map.entry(1L, Vma.anonymous(1, 3, Prot.R, VmFlags.PRIVATE)));
        // A continuing digit after a different protection starts a new area; the last page is flushed too.
        assertThat(areas(scope, 5 + 2 * 11)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.RW, ACCOUNTED)),
                Map.entry(2L, Vma.anonymous(2, 3, Prot.R, VmFlags.PRIVATE)));
        assertThat(areas(scope, 1 + 11 * 11 * 11)).containsExactly(Map.entry(1L, Vma.anonymous(1, 2, Prot.R, VmFlags.PRIVATE)),
                Map.entry(4L, Vma.anonymous(4, 5, Prot.R, VmFlags.PRIVATE)));
        assertThat(areas(scope, 3 + 3 * 11)).as("a new r-- accounted area after one").containsExactly(
                Map.entry(1L, Vma.anonymous(1, 2, Prot.R, ACCOUNTED)), Map.entry(2L, Vma.anonymous(2, 3, Prot.R, ACCOUNTED)));
        assertThat(areas(scope, 3 + 4 * 11)).containsExactly(Map.entry(1L, Vma.anonymous(1, 3, Prot.R, ACCOUNTED)));
        assertThat(areas(scope, 2 + 2 * 11 + 2 * 121 + 2 * 1331))
                .containsExactly(Map.entry(1L, Vma.anonymous(1, 5, Prot.R, VmFlags.PRIVATE)));
    }

    @Test
    void theStepOffersEveryLengthAddressAndProtectionThatFits() {
        TransitionSystem<VmSystem> ts = VmInductive.system();
        assertThat(ts.initialStates()).isEmpty();
        VmSystem empty = VmInductive.scope().get(0);
        Set<String> labels = new LinkedHashSet<>();
        ts.successors(empty, (label, next) -> labels.add(label.get()));
        assertThat(labels).contains("mmap(NULL, 1, r--)", "mmap(NULL, 4, rw-)", "mmap(NULL, 4, r-x)", "mmap(1, 4, r--, FIXED)",
                "mmap(4, 1, r-x, FIXED)", "munmap(1, 4)", "munmap(4, 1)")
                .doesNotContain("mmap(NULL, 5, r--)", "mmap(NULL, 1, rwx)", "mprotect(1, 1, r--)")
                .noneMatch(l -> l.startsWith("mmap(0") || l.startsWith("munmap(0"));
        VmSystem one = VmInductive.scope().get(1);
        Set<String> fromOne = new LinkedHashSet<>();
        ts.successors(one, (label, next) -> fromOne.add(label.get()));
        java.util.Map<String, VmSystem> fromOneStates = new java.util.HashMap<>();
        ts.successors(one, (label, next) -> fromOneStates.put(label.get(), next));
        assertThat(fromOne).contains("mprotect(1, 1, rw-)", "mprotect(1, 1, r-x)").doesNotContain("mprotect(1, 2, r--)");
        assertThat(fromOneStates.get("munmap(1, 1)").space(0).areas()).isEmpty();
        assertThat(fromOneStates.get("mprotect(1, 1, rw-)").space(0).areaAt(1).orElseThrow().prot()).isEqualTo(Prot.RW);
    }
}
