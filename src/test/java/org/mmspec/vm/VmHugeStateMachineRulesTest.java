package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.ModelMismatch;
import org.mmspec.check.Rule;
import org.mmspec.check.RuleDriver;

/**
 * {@link VmHugeStateMachine} one rule at a time, from states built by replayed draws: the call
 * each rule makes, the outcome the model predicts (hugetlb cuts off 2 MiB boundaries, holes,
 * running out of frames), the change the model makes after a success, and that every comparison
 * with the page model is made: a model put out of step with the address space on purpose must fail
 * the rule with a model mismatch naming what disagreed (or, where the rule checks a condition
 * rather than comparing, an assertion naming it).
 *
 * <p>The space: four huge ranges of {@code H} = 512 pages; the rules work in the middle two, at
 * pages 512 and 1024, in units of 64 pages.
 */
class VmHugeStateMachineRulesTest {
    private static final VmHugeStateMachine M = new VmHugeStateMachine();
    private static final long H = VmHugeStateMachine.H;
    private static final long UNIT = VmHugeStateMachine.UNIT;
    /** The two middle ranges, as range draws. */
    private static final int LOW = 0;
    private static final int HIGH = 1;
    /** Indexes into the protections mprotect draws from. */
    private static final int NONE = 0;
    private static final int R = 1;
    private static final int RW = 2;

    private static VmHugeStateMachine.State init() {
        return M.init(Choices.replay(new long[0]));
    }

    private static String run(VmHugeStateMachine.State s, String rule, long... draws) {
        return RuleDriver.apply(M, rule, s, draws);
    }

    private static void mismatch(VmHugeStateMachine.State s, String rule, String what, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(M, rule, s, draws)).isInstanceOf(ModelMismatch.class)
                .hasMessageStartingWith("model mismatch on " + what + ":");
    }

    private static void checkFails(VmHugeStateMachine.State s, String rule, String message, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(M, rule, s, draws)).isInstanceOf(AssertionError.class)
                .isNotInstanceOf(ModelMismatch.class).hasMessage(message);
    }

    private static Rule<VmHugeStateMachine.State> rule(String name) {
        return M.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static long[] model(VmHugeStateMachine.State s, int p, long page) {
        return s.model.get(p).get(page);
    }

    private static TreeMap<Long, long[]> pages(VmHugeStateMachine.State s, int p) {
        return s.model.get(p);
    }

    /** Range {@code range} of P0 mapped rw- and written. */
    private static VmHugeStateMachine.State populated(int... ranges) {
        VmHugeStateMachine.State s = init();
        for (int r : ranges) {
            assertThat(run(s, "populate", 0, r)).endsWith("-> ok");
        }
        return s;
    }

    /** P0 with a MAP_HUGETLB area of one 2 MiB page, {@code prot} (0 r--, 1 rw-), at the range {@code range}. */
    private static VmHugeStateMachine.State hugetlb(int range, int prot) {
        VmHugeStateMachine.State s = init();
        assertThat(run(s, "hugetlb", 0, 0, range, 7, prot)).endsWith("-> 0x" + Long.toHexString((H + range * H) << Vma.PAGE_SHIFT));
        return s;
    }

    private static void drainFrames(VmHugeStateMachine.State s, long leave) {
        while (s.sys.frames().allocator().freeFrames() > leave) {
            s.sys.frames().corruptLeak();
        }
    }

    /** mprotect or munmap draws: process, range, offset in units (from -1), length in units (from 1). */
    private static long[] span(int range, int offsetUnits, int lenUnits) {
        return new long[] {0, range, offsetUnits + 1, lenUnits - 1};
    }

    private static long[] mprotect(int range, int offsetUnits, int lenUnits, int prot) {
        return new long[] {0, range, offsetUnits + 1, lenUnits - 1, prot};
    }

    /** mremap draws: process, range, offset in units, length in units (from 1), target offset in units. */
    private static long[] mremap(int range, int offsetUnits, int lenUnits, int toUnits) {
        return new long[] {0, range, offsetUnits, lenUnits - 1, toUnits};
    }

    /** access draws: process, range, page offset, write. */
    private static long[] access(int p, int range, long offset, boolean write) {
        return new long[] {p, range, offset, write ? 1 : 0};
    }

    // ------------------------------------------------------------------ populate and collapse

    @Test
    void populate_mapsAndWritesTheWholeRangeAndTheModelFollows() {
        VmHugeStateMachine.State s = init();
        assertThat(run(s, "populate", 0, HIGH)).isEqualTo("P0.populate(1024) -> ok");
        assertThat(pages(s, 0).subMap(1024L, 1536L)).hasSize((int) H);
        assertThat(model(s, 0, 1024)).containsExactly(Prot.RW.bits(), 1025L, 0L);
        assertThat(model(s, 0, 1535)).containsExactly(Prot.RW.bits(), 1536L, 0L);
        assertThat(pages(s, 0)).doesNotContainKeys(1023L, 1536L);
        assertThat(s.nextWord).isEqualTo(1 + VmHugeStateMachine.PAGES);
        assertThat(run(s, "access", access(0, HIGH, 100, false))).isEqualTo("P0.READ(1124) -> 1125");
        assertThat(run(s, "populate", 0, LOW)).isEqualTo("P0.populate(512) -> ok");
        assertThat(model(s, 0, 512)[1]).isEqualTo(1 + VmHugeStateMachine.PAGES + 512);
    }

    @Test
    void collapse_makesAPopulatedRangeOneHugePageAndPredictsItsRejections() {
        VmHugeStateMachine.State s = populated(LOW);
        assertThat(run(s, "collapse", 0, 7, LOW)).isEqualTo("P0.collapse(576) -> rejected MISALIGNED");
        assertThat(run(s, "collapse", 0, 0, HIGH)).isEqualTo("P0.collapse(1024) -> rejected NOT_HUGE_ELIGIBLE");
        assertThat(run(s, "collapse", 0, 0, LOW)).isEqualTo("P0.collapse(512) -> ok");
        assertThat(s.sys.space(0).hugePages()).containsExactly(512L);
        assertThat(run(s, "access", access(0, LOW, 3, false))).endsWith("-> 516");
        // Collapsing a huge page again changes nothing.
        assertThat(run(s, "collapse", 0, 0, LOW)).endsWith("-> ok");
    }

    @Test
    void collapse_outOfFramesIsARejection() {
        VmHugeStateMachine.State s = populated(LOW);
        drainFrames(s, H - 1);
        assertThat(run(s, "collapse", 0, 0, LOW)).isEqualTo("P0.collapse(512) -> rejected OUT_OF_MEMORY");
        assertThat(s.sys.space(0).hugePages()).isEmpty();
    }

    // ------------------------------------------------------------------ hugetlb

    @Test
    void hugetlb_mapsWholeHugePagesRoundedUpAndTheModelMarksThem() {
        VmHugeStateMachine.State s = init();
        // hugetlb draws: process, misaligned one in eight, range, length in units (from 1), r-- or rw-.
        assertThat(run(s, "hugetlb", 0, 0, LOW, 3, 1)).isEqualTo("P0.mmap(512, 256 pages, rw-, HUGETLB|FIXED) -> 0x200000");
        assertThat(pages(s, 0).subMap(512L, 1024L)).hasSize((int) H);
        assertThat(model(s, 0, 1023)).containsExactly(Prot.RW.bits(), 0L, 1L);
        assertThat(pages(s, 0)).doesNotContainKey(1024L);
        // Two huge pages from the lower middle range; one from the upper, where the length's bound is half.
        VmHugeStateMachine.State t = init();
        assertThat(run(t, "hugetlb", 0, 0, LOW, 15, 0)).startsWith("P0.mmap(512, 1024 pages, r--").endsWith("-> 0x200000");
        assertThat(model(t, 0, 1535)).containsExactly(Prot.R.bits(), 0L, 1L);
        VmHugeStateMachine.State u = init();
        assertThat(run(u, "hugetlb", 0, 0, HIGH, 15, 0)).startsWith("P0.mmap(1024, 512 pages, r--");
        assertThat(pages(u, 0).subMap(1024L, 2048L)).hasSize((int) H + 1);
        VmHugeStateMachine.State v = init();
        assertThat(run(v, "hugetlb", 0, 7, LOW, 15, 0)).isEqualTo("P0.mmap(576, 1024 pages, r--, HUGETLB|FIXED) -> rejected MISALIGNED");
        assertThat(pages(v, 0)).hasSize(1);
        VmHugeStateMachine.State w = init();
        assertThat(run(w, "hugetlb", 0, 7, HIGH, 15, 0)).startsWith("P0.mmap(1088, 512 pages");
    }

    @Test
    void hugetlb_comparesEveryPagesHugetlbMarkWithTheModel() {
        VmHugeStateMachine.State s = populated(LOW);
        model(s, 0, 700)[2] = 1;
        mismatch(s, "fork", "P0 page 700 hugetlb", 0);
        VmHugeStateMachine.State t = hugetlb(HIGH, 0);
        model(t, 0, 1100)[2] = 0;
        mismatch(t, "fork", "P0 page 1100 hugetlb", 0);
    }

    @Test
    void hugetlbResize_isEnabledOverAHugetlbAreaAndAlwaysRefused() {
        VmHugeStateMachine.State s = populated(LOW);
        assertThat(rule("hugetlb resize").enabled(s)).as("a populated range is not hugetlb").isFalse();
        VmHugeStateMachine.State t = hugetlb(HIGH, 1);
        assertThat(rule("hugetlb resize").enabled(t)).isTrue();
        assertThat(run(t, "hugetlb resize", 0, 0)).isEqualTo("P0.mremap(1024, grow to 2 huge pages, MAYMOVE) -> rejected HUGETLB_RESIZE");
        assertThat(run(t, "hugetlb resize", 0, 1)).isEqualTo("P0.mremap(1024, MAYMOVE|DONTUNMAP) -> rejected HUGETLB_RESIZE");
        run(t, "fork", 0);
        run(t, "hugetlb", 0, 0, LOW, 7, 0);
        // Picked from (process, range): P0's two, then P1's one.
        assertThat(run(t, "hugetlb resize", 0, 0)).startsWith("P0.mremap(512,");
        assertThat(run(t, "hugetlb resize", 1, 0)).startsWith("P0.mremap(1024,");
        assertThat(run(t, "hugetlb resize", 2, 0)).startsWith("P1.mremap(1024,");
    }

    @Test
    void hugetlbResize_comparesTheOutcomeWithTheModel() {
        VmHugeStateMachine.State s = populated(LOW);
        model(s, 0, 512)[2] = 1;
        mismatch(s, "hugetlb resize", "hugetlb mremap outcome", 0, 1);
    }

    // ------------------------------------------------------------------ mprotect and munmap

    @Test
    void mprotect_changesTheModelsProtectionAndPredictsHolesAndHugetlbCuts() {
        VmHugeStateMachine.State s = populated(LOW);
        assertThat(run(s, "mprotect", mprotect(LOW, 1, 2, R))).isEqualTo("P0.mprotect(576, 128 pages, r--) -> ok");
        assertThat(model(s, 0, 576)[0]).isEqualTo(Prot.R.bits());
        assertThat(model(s, 0, 703)[0]).isEqualTo(Prot.R.bits());
        assertThat(model(s, 0, 704)[0]).isEqualTo(Prot.RW.bits());
        assertThat(model(s, 0, 575)[0]).isEqualTo(Prot.RW.bits());
        assertThat(run(s, "mprotect", mprotect(LOW, -1, 2, NONE))).isEqualTo("P0.mprotect(448, 128 pages, ---) -> rejected NOT_MAPPED");
        assertThat(run(s, "mprotect", mprotect(LOW, 7, 2, NONE))).isEqualTo("P0.mprotect(960, 128 pages, ---) -> rejected NOT_MAPPED");
        assertThat(run(s, "mprotect", mprotect(LOW, 7, 1, NONE))).endsWith("-> ok");
        // The length stops at the top of the space.
        assertThat(run(s, "mprotect", mprotect(HIGH, 8, 10, R))).isEqualTo("P0.mprotect(1536, 512 pages, r--) -> rejected NOT_MAPPED");

        VmHugeStateMachine.State t = hugetlb(LOW, 1);
        assertThat(run(t, "mprotect", mprotect(LOW, 1, 1, R))).endsWith("-> rejected MISALIGNED");
        assertThat(run(t, "mprotect", mprotect(LOW, 0, 1, R))).endsWith("-> rejected MISALIGNED");
        assertThat(run(t, "mprotect", mprotect(LOW, 0, 8, R))).isEqualTo("P0.mprotect(512, 512 pages, r--) -> ok");
        assertThat(model(t, 0, 1023)[0]).isEqualTo(Prot.R.bits());
    }

    @Test
    void mprotect_splittingAHugePageWithoutFramesIsOutOfMemory() {
        VmHugeStateMachine.State s = populated(LOW);
        run(s, "collapse", 0, 0, LOW);
        drainFrames(s, 0);
        assertThat(run(s, "mprotect", mprotect(LOW, 1, 1, R))).endsWith("-> rejected OUT_OF_MEMORY");
        assertThat(model(s, 0, 576)[0]).isEqualTo(Prot.RW.bits());
        assertThat(run(s, "munmap", span(LOW, 1, 1))).endsWith("-> rejected OUT_OF_MEMORY");
        assertThat(pages(s, 0)).containsKey(576L);
    }

    @Test
    void mprotect_comparesWithTheModel() {
        VmHugeStateMachine.State s = populated(LOW);
        pages(s, 0).remove(600L);
        checkFails(s, "mprotect", "mprotect over a hole or splitting a hugetlb page succeeded", mprotect(LOW, 1, 1, R));
        VmHugeStateMachine.State t = populated(LOW);
        model(t, 0, 576)[2] = 1;
        checkFails(t, "mprotect", "mprotect over a hole or splitting a hugetlb page succeeded", mprotect(LOW, 1, 1, R));
        VmHugeStateMachine.State u = populated(LOW);
        model(u, 0, 640)[2] = 1;
        checkFails(u, "mprotect", "mprotect over a hole or splitting a hugetlb page succeeded", mprotect(LOW, 1, 1, R));
        VmHugeStateMachine.State v = init();
        for (long q = 576; q < 640; q++) {
            pages(v, 0).put(q, new long[] {Prot.RW.bits(), 0, 0});
        }
        mismatch(v, "mprotect", "mprotect outcome", mprotect(LOW, 1, 1, R));
        VmHugeStateMachine.State w = hugetlb(LOW, 1);
        model(w, 0, 576)[2] = 0;
        model(w, 0, 640)[2] = 0;
        mismatch(w, "mprotect", "mprotect outcome", mprotect(LOW, 1, 1, R));
    }

    @Test
    void munmap_clearsTheModelAndPredictsHugetlbCuts() {
        VmHugeStateMachine.State s = populated(LOW);
        assertThat(run(s, "munmap", span(LOW, 1, 2))).isEqualTo("P0.munmap(576, 128 pages) -> ok");
        assertThat(pages(s, 0)).containsKeys(575L, 704L).doesNotContainKeys(576L, 703L);
        assertThat(run(s, "munmap", span(HIGH, 8, 10))).isEqualTo("P0.munmap(1536, 512 pages) -> ok");
        assertThat(pages(s, 0)).doesNotContainKey(2047L);

        VmHugeStateMachine.State t = hugetlb(LOW, 1);
        assertThat(run(t, "munmap", span(LOW, 1, 1))).endsWith("-> rejected MISALIGNED");
        assertThat(run(t, "munmap", span(LOW, 0, 1))).endsWith("-> rejected MISALIGNED");
        assertThat(run(t, "munmap", span(LOW, -1, 1))).endsWith("-> ok");
        assertThat(run(t, "munmap", span(LOW, 0, 8))).endsWith("-> ok");
        assertThat(pages(t, 0).subMap(512L, 1024L)).isEmpty();
    }

    @Test
    void munmap_comparesWithTheModel() {
        VmHugeStateMachine.State s = populated(LOW);
        model(s, 0, 576)[2] = 1;
        checkFails(s, "munmap", "munmap splitting a hugetlb page succeeded", span(LOW, 1, 1));
        VmHugeStateMachine.State t = populated(LOW);
        model(t, 0, 640)[2] = 1;
        checkFails(t, "munmap", "munmap splitting a hugetlb page succeeded", span(LOW, 1, 1));
        VmHugeStateMachine.State u = hugetlb(LOW, 1);
        model(u, 0, 576)[2] = 0;
        model(u, 0, 640)[2] = 0;
        mismatch(u, "munmap", "munmap outcome", span(LOW, 1, 1));
    }

    // ------------------------------------------------------------------ mremap

    @Test
    void mremap_movesARangeToTheOtherMiddleRange() {
        VmHugeStateMachine.State s = populated(LOW);
        assertThat(run(s, "mremap", mremap(LOW, 1, 2, 1))).isEqualTo("P0.mremap(576, 128 pages, FIXED 1088) -> 0x440000");
        assertThat(model(s, 0, 1088)).containsExactly(Prot.RW.bits(), 577L, 0L);
        assertThat(model(s, 0, 1215)[1]).isEqualTo(704);
        assertThat(pages(s, 0)).doesNotContainKeys(576L, 703L, 1087L, 1216L).containsKeys(575L, 704L);
        assertThat(run(s, "access", access(0, HIGH, 64, false))).endsWith("-> 577");
        // Back from the upper range to the lower one, over what was left there.
        assertThat(run(s, "mremap", mremap(HIGH, 1, 1, 0))).isEqualTo("P0.mremap(1088, 64 pages, FIXED 512) -> 0x200000");
        assertThat(model(s, 0, 512)[1]).isEqualTo(577);
        assertThat(pages(s, 0)).doesNotContainKey(1088L).containsKey(1152L);
    }

    @Test
    void mremap_ofAHugetlbAreaMovesWholeHugePagesFromAlignedAddresses() {
        VmHugeStateMachine.State s = hugetlb(LOW, 1);
        run(s, "access", access(0, LOW, 5, true));
        assertThat(run(s, "mremap", mremap(LOW, 1, 1, 0))).endsWith("-> rejected MISALIGNED");
        assertThat(run(s, "mremap", mremap(LOW, 0, 1, 1))).endsWith("-> rejected MISALIGNED");
        assertThat(run(s, "mremap", mremap(LOW, 0, 1, 0))).isEqualTo("P0.mremap(512, 64 pages, FIXED 1024) -> 0x400000");
        assertThat(pages(s, 0).subMap(1024L, 1536L)).hasSize((int) H);
        assertThat(pages(s, 0).subMap(512L, 1024L)).isEmpty();
        assertThat(model(s, 0, 1029)).containsExactly(Prot.RW.bits(), 1L, 1L);
    }

    @Test
    void mremap_predictsTheAreaLookupBeforeTheOverlap() {
        VmHugeStateMachine.State s = init();
        assertThat(run(s, "mremap", mremap(LOW, 0, 1, 0))).endsWith("-> rejected BAD_ADDRESS");
        VmHugeStateMachine.State t = populated(LOW);
        assertThat(run(t, "mremap", mremap(LOW, 7, 8, 0))).isEqualTo("P0.mremap(960, 512 pages, FIXED 1024) -> rejected OVERLAP");
        assertThat(run(t, "mremap", mremap(LOW, 7, 2, 1))).isEqualTo("P0.mremap(960, 128 pages, FIXED 1088) -> rejected BAD_ADDRESS");
        VmHugeStateMachine.State u = populated(LOW, HIGH);
        assertThat(run(u, "mremap", mremap(LOW, 7, 8, 0))).endsWith("-> rejected OVERLAP");
        assertThat(run(u, "mremap", mremap(LOW, 7, 1, 0))).endsWith("-> 0x400000");
        assertThat(run(u, "mremap", mremap(HIGH, 7, 2, 0))).endsWith("-> rejected BAD_ADDRESS");
    }

    @Test
    void mremap_outOfFramesIsARejection() {
        VmHugeStateMachine.State s = populated(LOW);
        run(s, "collapse", 0, 0, LOW);
        drainFrames(s, 0);
        assertThat(run(s, "mremap", mremap(LOW, 1, 1, 0))).endsWith("-> rejected OUT_OF_MEMORY");
    }

    @Test
    void mremap_comparesWithTheModel() {
        VmHugeStateMachine.State s = populated(LOW);
        model(s, 0, 576)[2] = 1;
        mismatch(s, "mremap", "hugetlb mremap outcome", mremap(LOW, 1, 1, 0));
        VmHugeStateMachine.State t = populated(LOW);
        model(t, 0, 512)[2] = 1;
        mismatch(t, "mremap", "hugetlb mremap outcome", mremap(LOW, 0, 1, 1));
        VmHugeStateMachine.State u = populated(LOW);
        pages(u, 0).remove(600L);
        checkFails(u, "mremap", "mremap moved the unmapped page 600", mremap(LOW, 1, 1, 0));
    }

    // ------------------------------------------------------------------ access

    @Test
    void access_writesTheNextWordAndReadsWhatTheModelHolds() {
        VmHugeStateMachine.State s = populated(LOW);
        long word = s.nextWord;
        assertThat(run(s, "access", access(0, LOW, 7, true))).isEqualTo("P0.WRITE(519) -> " + word);
        assertThat(model(s, 0, 519)[1]).isEqualTo(word);
        assertThat(s.nextWord).isEqualTo(word + 1);
        assertThat(run(s, "access", access(0, LOW, 7, false))).isEqualTo("P0.READ(519) -> " + word);
        assertThat(s.nextWord).isEqualTo(word + 1);
        assertThat(run(s, "access", access(0, HIGH, 7, false))).as("far below the stack").endsWith("-> rejected STACK_LIMIT");
        run(s, "mprotect", mprotect(LOW, 0, 1, R));
        assertThat(run(s, "access", access(0, LOW, 7, true))).endsWith("-> rejected ACCERR");
        assertThat(run(s, "access", access(0, LOW, 7, false))).endsWith("-> " + word);
        run(s, "mprotect", mprotect(LOW, 0, 1, NONE));
        assertThat(run(s, "access", access(0, LOW, 7, false))).endsWith("-> rejected ACCERR");
        assertThat(s.nextWord).isEqualTo(word + 1);
    }

    @Test
    void access_outOfFramesIsAllowedOnlyWhereTheModelAllowsTheAccess() {
        VmHugeStateMachine.State s = hugetlb(LOW, 1);
        drainFrames(s, 0);
        assertThat(run(s, "access", access(0, LOW, 7, true))).endsWith("-> rejected OUT_OF_MEMORY");
        assertThat(run(s, "access", access(0, LOW, 7, false))).endsWith("-> rejected OUT_OF_MEMORY");
        assertThat(s.nextWord).isEqualTo(1);
    }

    @Test
    void access_comparesWithTheModel() {
        VmHugeStateMachine.State s = populated(LOW);
        model(s, 0, 519)[1] = 99;
        mismatch(s, "access", "word of page 519", access(0, LOW, 7, false));
        VmHugeStateMachine.State t = populated(LOW);
        run(t, "mprotect", mprotect(LOW, 0, 1, NONE));
        model(t, 0, 519)[0] = Prot.RW.bits();
        mismatch(t, "access", "access outcome", access(0, LOW, 7, false));
        VmHugeStateMachine.State u = populated(LOW);
        model(u, 0, 519)[0] = Prot.R.bits();
        checkFails(u, "access", "access to page 519 allowed under r--", access(0, LOW, 7, true));
        VmHugeStateMachine.State v = populated(LOW);
        model(v, 0, 519)[0] = Prot.NONE.bits();
        checkFails(v, "access", "access to page 519 allowed under ---", access(0, LOW, 7, false));
        VmHugeStateMachine.State w = populated(LOW);
        pages(w, 0).remove(519L);
        checkFails(w, "access", "access to unmapped page 519 succeeded", access(0, LOW, 7, false));
    }

    // ------------------------------------------------------------------ fork, exit, compare

    @Test
    void fork_copiesTheModelAndExitRemovesIt() {
        VmHugeStateMachine.State s = populated(LOW);
        assertThat(run(s, "fork", 0)).isEqualTo("P0.fork() -> 1");
        assertThat(s.model).hasSize(2);
        long word = s.nextWord;
        run(s, "access", access(1, LOW, 7, true));
        assertThat(model(s, 1, 519)[1]).isEqualTo(word);
        assertThat(model(s, 0, 519)[1]).as("the child's copy, not the parent's").isEqualTo(520);
        assertThat(run(s, "access", access(0, LOW, 7, false))).endsWith("-> 520");
        assertThat(run(s, "exit", 0)).isEqualTo("P0.exit() -> ok");
        assertThat(s.model).hasSize(1);
        assertThat(model(s, 0, 519)[1]).isEqualTo(word);
    }

    @Test
    void fork_outOfFramesIsItsOnlyRejection() {
        VmHugeStateMachine.State s = init();
        drainFrames(s, 0);
        assertThat(run(s, "fork", 0)).isEqualTo("P0.fork() -> rejected OUT_OF_MEMORY");
        assertThat(s.model).hasSize(1);
    }

    @Test
    void everyRuleComparesTheProcessCountAndEveryMiddlePage() {
        VmHugeStateMachine.State s = populated(LOW);
        s.model.add(new TreeMap<>());
        mismatch(s, "collapse", "process count", 0, 0, HIGH);
        VmHugeStateMachine.State t = populated(LOW);
        model(t, 0, 512)[0] = Prot.R.bits();
        mismatch(t, "collapse", "P0 page 512 protection", 0, 0, HIGH);
        VmHugeStateMachine.State u = populated(HIGH);
        model(u, 0, 1535)[1] = 5;
        mismatch(u, "collapse", "P0 page 1535 contents", 0, 0, LOW);
        VmHugeStateMachine.State v = populated(HIGH);
        run(v, "fork", 0);
        run(v, "access", access(1, HIGH, 511, true));
        model(v, 1, 1535)[1] = 5;
        mismatch(v, "collapse", "P1 page 1535 contents", 0, 0, LOW);
        // Pages outside the middle ranges are not compared.
        VmHugeStateMachine.State w = init();
        pages(w, 0).put(511L, new long[] {Prot.RW.bits(), 0, 0});
        pages(w, 0).put(1536L, new long[] {Prot.RW.bits(), 0, 0});
        assertThat(run(w, "collapse", 0, 0, LOW)).endsWith("-> rejected NOT_HUGE_ELIGIBLE");
        pages(w, 0).put(1535L, new long[] {Prot.RW.bits(), 0, 0});
        mismatch(w, "collapse", "P0 page 1535 protection", 0, 0, LOW);
    }

    @Test
    void theSnapshotListsEveryProcessesModelPages() {
        VmHugeStateMachine.State s = init();
        List<?> snap = (List<?>) M.snapshot(s);
        assertThat(snap.get(0)).isEqualTo(s.sys.key());
        assertThat(snap.get(1)).isEqualTo(List.of("2047:" + Prot.RW.bits() + "/0,"));
        run(s, "fork", 0);
        run(s, "access", access(1, LOW, 0, false));
        assertThat(((List<?>) M.snapshot(s)).get(1)).isEqualTo(List.of("2047:3/0,", "2047:3/0,"));
    }

    // ------------------------------------------------------------------ more, found by mutation testing

    @Test
    void everyRuleEndsByComparingEveryMiddlePage() {
        java.util.Map<String, long[]> rules = new java.util.LinkedHashMap<>();
        rules.put("populate", new long[] {0, LOW});
        rules.put("hugetlb", new long[] {0, 0, LOW, 7, 1});
        rules.put("mprotect", mprotect(LOW, 0, 1, R));
        rules.put("munmap", span(LOW, 0, 1));
        rules.put("mremap", mremap(LOW, 0, 1, 0));
        rules.put("access", access(0, LOW, 0, false));
        rules.forEach((rule, draws) -> {
            VmHugeStateMachine.State s = populated(LOW);
            pages(s, 0).put(1500L, new long[] {Prot.R.bits(), 0, 0});
            mismatch(s, rule, "P0 page 1500 protection", draws);
        });
        VmHugeStateMachine.State t = hugetlb(LOW, 1);
        pages(t, 0).put(1500L, new long[] {Prot.R.bits(), 0, 0});
        mismatch(t, "hugetlb resize", "P0 page 1500 protection", 0, 0);
        VmHugeStateMachine.State u = init();
        run(u, "fork", 0);
        pages(u, 0).put(1500L, new long[] {Prot.R.bits(), 0, 0});
        mismatch(u, "exit", "P0 page 1500 protection", 1);
    }

    @Test
    void theLiftedInvariantsReportTheVmsViolationsAndTheProcessIsDrawnAmongTheLiveOnes() {
        VmHugeStateMachine.State s = init();
        run(s, "fork", 0);
        assertThat(run(s, "access", access(3, LOW, 0, false))).startsWith("P1.READ(512)");
        s.sys.frames().corruptLeak();
        assertThat(M.invariants().violations(s)).extracting(org.mmspec.check.Violation::invariantId).containsExactly("XLAYER-2");
        assertThat(M.invariants().violations(s).get(0).detail())
                .isEqualTo(VmInvariants.ALL.violations(s.sys).get(0).detail());
    }

    @Test
    void hugetlbResize_looksOnlyAtTheTwoMiddleRanges() {
        VmHugeStateMachine.State s = init();
        pages(s, 0).put(3 * H, new long[] {Prot.RW.bits(), 0, 1});
        assertThat(rule("hugetlb resize").enabled(s)).isFalse();
        pages(s, 0).put(2 * H, new long[] {Prot.RW.bits(), 0, 1});
        assertThat(rule("hugetlb resize").enabled(s)).isTrue();
    }

    @Test
    void hugetlbResize_growsOrMovesWithDontUnmapAsDrawn() {
        VmHugeStateMachine.State s = populated(LOW);
        model(s, 0, 512)[2] = 1;
        mismatch(s, "hugetlb resize", "hugetlb mremap outcome", 0, 0);
        assertThat(s.sys.space(0).areaAt(512)).get().extracting(Vma::end).as("grown in place").isEqualTo(3 * H);
        VmHugeStateMachine.State t = populated(LOW);
        model(t, 0, 512)[2] = 1;
        mismatch(t, "hugetlb resize", "hugetlb mremap outcome", 0, 1);
        assertThat(t.sys.space(0).areaAt(512)).get().extracting(Vma::end).as("left mapped by DONTUNMAP").isEqualTo(2 * H);
        assertThat(t.sys.space(0).areaAt(2 * H)).isEmpty();
    }

    @Test
    void mremap_ofAWholeHugetlbPageMovesExactlyIt() {
        VmHugeStateMachine.State s = hugetlb(LOW, 1);
        assertThat(run(s, "mremap", mremap(LOW, 0, 8, 0))).isEqualTo("P0.mremap(512, 512 pages, FIXED 1024) -> 0x400000");
        assertThat(pages(s, 0).subMap(1024L, 1536L)).hasSize((int) H);
        assertThat(pages(s, 0)).doesNotContainKey(1536L);
    }

    @Test
    void mremap_rejectedOverAHugetlbCutAtEitherEndOfTheTarget() {
        VmHugeStateMachine.State s = populated(LOW);
        run(s, "hugetlb", 0, 0, HIGH, 7, 1);
        assertThat(run(s, "mremap", mremap(LOW, 0, 1, 0))).isEqualTo("P0.mremap(512, 64 pages, FIXED 1024) -> rejected MISALIGNED");
        assertThat(run(s, "mremap", mremap(LOW, 0, 7, 1))).isEqualTo("P0.mremap(512, 448 pages, FIXED 1088) -> rejected MISALIGNED");
        model(s, 0, 1088)[2] = 0;
        checkFails(s, "mremap", "mremap to 1024 rejected MISALIGNED without a hugetlb cut", mremap(LOW, 0, 1, 0));
    }

    @Test
    void mremap_predictsTheOverlapExactlyAtItsEdges() {
        // The old range ends where the target starts: no overlap, though the move is refused.
        VmHugeStateMachine.State s = populated(LOW);
        run(s, "collapse", 0, 0, LOW);
        drainFrames(s, 0);
        assertThat(run(s, "mremap", mremap(LOW, 7, 1, 0))).isEqualTo("P0.mremap(960, 64 pages, FIXED 1024) -> rejected OUT_OF_MEMORY");
        // The target ends where the old range starts, and the old range runs past its area.
        VmHugeStateMachine.State t = populated(HIGH);
        run(t, "munmap", span(HIGH, 7, 1));
        assertThat(run(t, "mremap", mremap(HIGH, 0, 8, 0))).isEqualTo("P0.mremap(1024, 512 pages, FIXED 512) -> rejected BAD_ADDRESS");
    }
}
