package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.ModelMismatch;
import org.mmspec.check.RuleDriver;

/**
 * {@link VmStateMachine} one rule at a time, from states built by replayed draws: the call each
 * rule makes, the outcome the model predicts for every argument it draws (each rejection, in
 * Linux's order of checks, and the boundaries of the range checks), the change the model makes
 * after a success, and that every comparison with the page model is made: a model put out of step
 * with the address space on purpose must fail the rule with a model mismatch naming what
 * disagreed (or, where the rule checks a condition rather than comparing, an assertion naming it).
 *
 * <p>The machine's space: pages 0..15, page 1 the lowest mappable, the heap from page 2 (at most
 * three pages), the stack's one page at 15 with a one-page guard gap, growing down to page 13.
 */
class VmStateMachineRulesTest {
    private static final VmStateMachine M = new VmStateMachine();
    private static final VmStateMachine PERMIT = VmStateMachine.permit();
    private static final long STACK = VmStateMachine.PAGES - 1;
    /** Indexes into {@link Prot#ALL}, the order the rules draw protections in. */
    private static final int NONE = 0;
    private static final int R = 1;
    private static final int RW = 2;
    private static final int RX = 3;
    private static final int RWX = 4;
    /** The "bad input" draw of mmap that asks for none. */
    private static final int GOOD = 5;

    private static VmStateMachine.State init() {
        return M.init(Choices.replay(new long[0]));
    }

    private static String run(VmStateMachine.State s, String rule, long... draws) {
        return RuleDriver.apply(M, rule, s, draws);
    }

    private static void mismatch(VmStateMachine.State s, String rule, String what, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(M, rule, s, draws)).isInstanceOf(ModelMismatch.class)
                .hasMessageStartingWith("model mismatch on " + what + ":");
    }

    private static void checkFails(VmStateMachine.State s, String rule, String message, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(M, rule, s, draws)).isInstanceOf(AssertionError.class)
                .isNotInstanceOf(ModelMismatch.class).hasMessage(message);
    }

    /** mmap draws, MAP_FIXED: process, fixed, not shared, not page 0, the page, the length, the protection, no bad input. */
    private static long[] fixed(long page, long len, int prot) {
        return new long[] {0, 1, 0, 0, page, len, prot, GOOD};
    }

    /** mmap draws with a hint: process, not fixed, not FIXED_NOREPLACE, not shared, not page 0, the page, the length, the protection, no bad input. */
    private static long[] hint(long page, long len, int prot) {
        return new long[] {0, 0, 0, 0, 0, page, len, prot, GOOD};
    }

    /** MAP_SHARED|MAP_FIXED mmap draws. */
    private static long[] sharedFixed(long page, long len, int prot) {
        return new long[] {0, 1, 3, 0, page, len, prot, GOOD};
    }

    private static VmStateMachine.ModelPage model(VmStateMachine.State s, int p, long page) {
        return s.model.get(p).get(page);
    }

    private static TreeMap<Long, VmStateMachine.ModelPage> pages(VmStateMachine.State s, int p) {
        return s.model.get(p);
    }

    /** access draws: process, page, access (READ, WRITE, EXECUTE). */
    private static long[] read(int p, long page) {
        return new long[] {p, page, 0};
    }

    private static long[] write(int p, long page) {
        return new long[] {p, page, 1};
    }

    private static long[] exec(int p, long page) {
        return new long[] {p, page, 2};
    }

    /** mremap's draws, built in the order the rule draws them. */
    private static final class Remap {
        int from = 1;
        long page;
        boolean unaligned;
        long len = 1;
        boolean mayMove = true;
        boolean fixed;
        boolean dontUnmap;
        boolean unknown;
        int aim = 3;
        long target;
        Long newLen = 1L;
        boolean unalignedTarget;
        boolean hint = true;

        /** The model's {@code index}-th mapped page (from 1) or, with from 0, page {@code index}. */
        static Remap of(long pageDraw, long len, Long newLen) {
            Remap r = new Remap();
            r.page = pageDraw;
            r.len = len;
            r.newLen = newLen;
            return r;
        }

        Remap raw() {
            from = 0;
            return this;
        }

        Remap to(long t) {
            aim = 3;
            target = t;
            return this;
        }

        long[] draws() {
            List<Long> d = new ArrayList<>();
            d.add(0L);
            d.add((long) from);
            d.add(page);
            d.add(unaligned ? 9L : 0L);
            if (len == 0) {
                d.add(7L);
            } else {
                d.add(0L);
                d.add(len - 1);
            }
            d.add(mayMove ? 0L : 5L);
            d.add(fixed ? 2L : 0L);
            d.add(dontUnmap ? 5L : 0L);
            d.add(unknown ? 19L : 0L);
            d.add((long) aim);
            if (aim >= 2) {
                d.add(target);
            }
            if (dontUnmap) {
                d.add(newLen == null ? 0L : 3L);
            }
            if (newLen != null) {
                if (newLen == 0) {
                    d.add(7L);
                } else {
                    d.add(0L);
                    d.add(newLen - 1);
                }
            }
            if (fixed || dontUnmap) {
                d.add(unalignedTarget ? 9L : 0L);
            }
            if (!fixed) {
                d.add(hint ? 0L : 1L);
            }
            return d.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /** P0 with the area [3, 5) rw- besides its stack. */
    private static VmStateMachine.State threeFour() {
        VmStateMachine.State s = init();
        assertThat(run(s, "mmap", fixed(3, 2, RW))).endsWith("-> 0x3000");
        return s;
    }

    // ------------------------------------------------------------------ mmap

    @Test
    void mmap_fixedMapsTheDrawnPagesAndTheModelFollows() {
        VmStateMachine.State s = init();
        assertThat(run(s, "mmap", fixed(3, 2, RW))).isEqualTo("P0.mmap(0x3000, 2 pages, rw-, PRIVATE|ANON|FIXED) -> 0x3000");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, STACK);
        assertThat(model(s, 0, 3).prot()).isEqualTo(Prot.RW);
        assertThat(model(s, 0, 4).shared()).isFalse();
        assertThat(model(s, 0, 4).word()).isZero();
        assertThat(s.sys.space(0).areaAt(4)).get().extracting(Vma::prot).isEqualTo(Prot.RW);
        // The boundaries: a range ending at the top of user space, one starting at the lowest page.
        assertThat(run(s, "mmap", fixed(12, 4, R))).endsWith("-> 0xc000");
        assertThat(model(s, 0, STACK).prot()).as("MAP_FIXED replaced the stack page").isEqualTo(Prot.R);
        assertThat(run(s, "mmap", fixed(1, 1, NONE))).endsWith("-> 0x1000");
        assertThat(model(s, 0, 1).prot()).isEqualTo(Prot.NONE);
    }

    @Test
    void mmap_withAHintOrNullPlacesTheRangeOnFreePages() {
        VmStateMachine.State s = init();
        assertThat(run(s, "mmap", hint(5, 1, R))).isEqualTo("P0.mmap(hint 0x5000, 1 pages, r--, PRIVATE|ANON) -> 0x5000");
        assertThat(model(s, 0, 5).prot()).isEqualTo(Prot.R);
        // The page draw's one in five: page 0, so no address at all.
        String call = run(s, "mmap", 0, 0, 0, 0, 4, 2, RW, GOOD);
        assertThat(call).startsWith("P0.mmap(NULL, 2 pages, rw-, PRIVATE|ANON) -> 0x");
        long start = Long.decode(call.substring(call.lastIndexOf(' ') + 1)) >>> Vma.PAGE_SHIFT;
        assertThat(pages(s, 0)).containsKeys(start, start + 1).hasSize(4);
        assertThat(model(s, 0, start).prot()).isEqualTo(Prot.RW);
    }

    @Test
    void mmap_predictsEveryRejectionInLinuxsOrder() {
        assertThat(run(init(), "mmap", fixed(3, 0, RW))).endsWith("-> rejected ZERO_LENGTH");
        // Bad flags: no MAP_ANONYMOUS and no file, or MAP_ANONYMOUS with a file; they come before a zero length's... after it.
        assertThat(run(init(), "mmap", 0, 1, 0, 0, 3, 1, RW, 0, 0)).endsWith("-> rejected BAD_FLAGS")
                .doesNotContain("file");
        assertThat(run(init(), "mmap", 0, 1, 0, 0, 3, 1, RW, 0, 1))
                .isEqualTo("P0.mmap(0x3000, 1 pages, rw-, PRIVATE|ANON|FIXED, file /lib/libc.so.6) -> rejected BAD_FLAGS");
        assertThat(run(init(), "mmap", 0, 1, 0, 0, 3, 0, RW, 0, 1)).endsWith("-> rejected ZERO_LENGTH");
        assertThat(run(init(), "mmap", 0, 1, 0, 0, 3, 1, RWX, 1))
                .isEqualTo("P0.mmap(0x3000, 1 pages, rwx, PRIVATE|ANON|FIXED, offset 0x800) -> rejected MISALIGNED");
        assertThat(run(init(), "mmap", fixed(3, 1, RWX))).endsWith("-> rejected WX_VIOLATION");
        assertThat(RuleDriver.apply(PERMIT, "mmap", PERMIT.init(Choices.replay(new long[0])), fixed(3, 1, RWX)))
                .endsWith("-> 0x3000");
        // An unaligned address matters only with MAP_FIXED (a hint is rounded).
        assertThat(run(init(), "mmap", 0, 1, 0, 0, 3, 1, RWX, 2)).endsWith("-> rejected WX_VIOLATION");
        assertThat(run(init(), "mmap", 0, 1, 0, 0, 13, 1, RW, 2))
                .isEqualTo("P0.mmap(0xd008, 1 pages, rw-, PRIVATE|ANON|FIXED) -> rejected MISALIGNED");
        VmStateMachine.State hinted = init();
        assertThat(run(hinted, "mmap", 0, 0, 0, 0, 0, 5, 1, RW, 2)).isEqualTo("P0.mmap(hint 0x5000, 1 pages, rw-, PRIVATE|ANON) -> 0x5000");
        assertThat(pages(hinted, 0)).containsKey(5L);
        assertThat(run(init(), "mmap", fixed(13, 4, RW))).endsWith("-> rejected OUT_OF_RANGE");
        assertThat(run(init(), "mmap", 0, 1, 0, 4, 1, RW, GOOD)).isEqualTo("P0.mmap(0x0, 1 pages, rw-, PRIVATE|ANON|FIXED) -> rejected BELOW_MIN_ADDR");
    }

    @Test
    void mmap_fixedNoReplaceRefusesMappedPagesAndTakesFreeOnes() {
        // FIXED_NOREPLACE (no MAP_FIXED), aimed at the lowest mapped page: the stack.
        VmStateMachine.State s = init();
        assertThat(run(s, "mmap", 0, 0, 2, 0, 0, 1, RW, GOOD))
                .isEqualTo("P0.mmap(0xf000, 1 pages, rw-, PRIVATE|ANON|FIXED_NOREPLACE) -> rejected EXISTS");
        assertThat(run(s, "mmap", 0, 0, 2, 0, 1, 1, RW, GOOD)).endsWith("-> rejected EXISTS");
        // Aimed at one of the mapped pages, picked.
        run(s, "mmap", fixed(5, 1, R));
        assertThat(run(s, "mmap", 0, 0, 2, 0, 2, 0, 1, RW, GOOD)).startsWith("P0.mmap(0x5000").endsWith("-> rejected EXISTS");
        assertThat(run(s, "mmap", 0, 0, 2, 0, 2, 1, 1, RW, GOOD)).startsWith("P0.mmap(0xf000").endsWith("-> rejected EXISTS");
        // Aimed anywhere: a range that ends just below a mapping is free.
        assertThat(run(s, "mmap", 0, 0, 2, 0, 3, 0, 3, 2, RW, GOOD)).endsWith("-> 0x3000");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, 5L, STACK);
        assertThat(run(s, "mmap", 0, 0, 2, 0, 3, 0, 4, 2, RW, GOOD)).endsWith("-> rejected EXISTS");
        // With nothing mapped there is no aim to draw: the page draws come next.
        VmStateMachine.State empty = init();
        run(empty, "munmap", 0, STACK, 0, 1);
        assertThat(run(empty, "mmap", 0, 0, 2, 0, 0, 6, 1, RW, GOOD)).endsWith("-> 0x6000");
    }

    @Test
    void mmap_noSpaceOnlyWhenNoFreeRunClearOfTheStacksGuardGapIsLeft() {
        VmStateMachine.State s = init();
        run(s, "mmap", fixed(1, 4, RW));
        run(s, "mmap", fixed(5, 4, RW));
        run(s, "mmap", fixed(9, 4, RW));
        // Page 13 is free; 14 is the stack's guard gap.
        assertThat(run(s, "mmap", hint(5, 2, RW))).endsWith("-> rejected NO_SPACE");
        assertThat(run(s, "mmap", hint(5, 1, RW))).endsWith("-> 0xd000");
        assertThat(pages(s, 0)).containsKey(13L);
        assertThat(run(s, "mmap", hint(5, 1, RW))).endsWith("-> rejected NO_SPACE");
    }

    @Test
    void mmap_sharedPagesKeepOneCellAcrossFork() {
        VmStateMachine.State s = init();
        assertThat(run(s, "mmap", sharedFixed(3, 2, RW))).isEqualTo("P0.mmap(0x3000, 2 pages, rw-, SHARED|ANON|FIXED) -> 0x3000");
        assertThat(model(s, 0, 3).shared()).isTrue();
        assertThat(model(s, 0, 3).obj()).isEqualTo(1);
        assertThat(model(s, 0, 4).off()).isEqualTo(1);
        assertThat(s.nextObject).isEqualTo(2);
        run(s, "mmap", fixed(6, 1, RW));
        run(s, "fork", 0);
        run(s, "access", write(1, 4));
        run(s, "access", write(1, 6));
        assertThat(model(s, 0, 4).word()).as("shared: the parent sees the child's store").isEqualTo(1);
        assertThat(model(s, 0, 6).word()).as("private: the parent's copy stays").isZero();
        assertThat(model(s, 1, 6).word()).isEqualTo(2);
        assertThat(run(s, "access", read(0, 4))).endsWith("-> 1");
        assertThat(run(s, "access", read(0, 6))).endsWith("-> 0");
    }

    @Test
    void mmap_comparesTheOutcomeWithTheModel() {
        VmStateMachine.State s = init();
        pages(s, 0).put(5L, VmStateMachine.ModelPage.fresh(Prot.RW, false));
        // FIXED_NOREPLACE at the model's page 5, which the address space does not have.
        mismatch(s, "mmap", "mmap outcome", 0, 0, 2, 0, 2, 0, 1, RW, GOOD);
    }

    @Test
    void mmap_checksAHintedRangeLandsOnPagesTheModelHasFree() {
        VmStateMachine.State s = init();
        pages(s, 0).put(5L, VmStateMachine.ModelPage.fresh(Prot.RW, false));
        checkFails(s, "mmap", "mmap without MAP_FIXED placed page 5 over a mapping or outside user space", hint(5, 1, R));
    }

    @Test
    void mmap_predictsNoSpaceFromTheModelsFreeRuns() {
        VmStateMachine.State s = init();
        run(s, "mmap", fixed(1, 4, RW));
        run(s, "mmap", fixed(5, 4, RW));
        run(s, "mmap", fixed(9, 4, RW));
        pages(s, 0).remove(1L);
        pages(s, 0).remove(2L);
        mismatch(s, "mmap", "mmap outcome", hint(5, 2, RW));
    }

    @Test
    void mmapAndMremap_checkEveryInvariantBeforeTheOutcome() {
        VmStateMachine.State s = threeFour();
        s.sys.frames().corruptLeak();
        assertThatThrownBy(() -> run(s, "mmap", fixed(6, 1, RW))).isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("XLAYER-2");
        assertThatThrownBy(() -> run(s, "mremap", Remap.of(0, 2, 1L).draws())).isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("XLAYER-2");
    }

    // ------------------------------------------------------------------ compare

    @Test
    void everyRuleComparesTheProcessCountEveryPagesProtectionAndContents() {
        VmStateMachine.State s = threeFour();
        s.model.add(new TreeMap<>());
        mismatch(s, "munmap", "process count", 0, 7, 0, 1);

        VmStateMachine.State t = threeFour();
        pages(t, 0).put(3L, model(t, 0, 3).withProt(Prot.R));
        mismatch(t, "munmap", "P0 page 3 protection", 0, 7, 0, 1);

        VmStateMachine.State u = threeFour();
        pages(u, 0).put(7L, VmStateMachine.ModelPage.fresh(Prot.RW, false));
        mismatch(u, "munmap", "P0 page 7 protection", 0, 9, 0, 1);

        VmStateMachine.State v = threeFour();
        run(v, "access", write(0, 4));
        model(v, 0, 4).cell().word = 7;
        mismatch(v, "munmap", "P0 page 4 contents", 0, 9, 0, 1);

        VmStateMachine.State w = threeFour();
        run(w, "fork", 0);
        run(w, "access", write(1, 3));
        model(w, 1, 3).cell().word = 7;
        mismatch(w, "munmap", "P1 page 3 contents", 0, 9, 0, 1);
        pages(w, 1).put(STACK, model(w, 1, STACK).withProt(Prot.NONE));
        model(w, 1, 3).cell().word = 1;
        mismatch(w, "munmap", "P1 page 15 protection", 0, 9, 0, 1);
    }

    // ------------------------------------------------------------------ mprotect

    @Test
    void mprotect_changesTheModelsProtectionOverTheRange() {
        VmStateMachine.State s = threeFour();
        assertThat(run(s, "mprotect", 0, 3, 0, 2, R)).isEqualTo("P0.mprotect(0x3000, 2 pages, r--) -> ok");
        assertThat(model(s, 0, 3).prot()).isEqualTo(Prot.R);
        assertThat(model(s, 0, 4).prot()).isEqualTo(Prot.R);
        assertThat(model(s, 0, STACK).prot()).isEqualTo(Prot.RW);
        // The top boundary: the last page.
        assertThat(run(s, "mprotect", 0, STACK, 0, 1, NONE)).endsWith("-> ok");
        assertThat(model(s, 0, STACK).prot()).isEqualTo(Prot.NONE);
        assertThat(run(s, "mprotect", 0, 4, 0, 1, RX)).endsWith("-> ok");
        assertThat(model(s, 0, 4).prot()).isEqualTo(Prot.RX);
        assertThat(model(s, 0, 3).prot()).isEqualTo(Prot.R);
    }

    @Test
    void mprotect_predictsEveryRejectionInLinuxsOrder() {
        VmStateMachine.State s = threeFour();
        assertThat(run(s, "mprotect", 0, 3, 7, 0, RWX)).isEqualTo("P0.mprotect(0x3001, 0 pages, rwx) -> rejected MISALIGNED");
        assertThat(run(s, "mprotect", 0, 6, 0, 0, RWX)).endsWith("-> ok");
        assertThat(run(s, "mprotect", 0, 14, 0, 3, RWX)).endsWith("-> rejected OUT_OF_RANGE");
        assertThat(run(s, "mprotect", 0, 3, 0, 2, RWX)).endsWith("-> rejected WX_VIOLATION");
        assertThat(run(s, "mprotect", 0, 3, 0, 3, R)).endsWith("-> rejected NOT_MAPPED");
        assertThat(run(s, "mprotect", 0, 2, 0, 2, R)).endsWith("-> rejected NOT_MAPPED");
        assertThat(model(s, 0, 3).prot()).isEqualTo(Prot.RW);
        VmStateMachine.State p = PERMIT.init(Choices.replay(new long[0]));
        assertThat(RuleDriver.apply(PERMIT, "mprotect", p, 0, STACK, 0, 1, RWX)).endsWith("-> ok");
        assertThat(model(p, 0, STACK).prot()).isEqualTo(Prot.RWX);
    }

    @Test
    void mprotect_comparesTheOutcomeWithTheModel() {
        VmStateMachine.State s = threeFour();
        pages(s, 0).remove(4L);
        mismatch(s, "mprotect", "mprotect outcome", 0, 3, 0, 2, R);
    }

    // ------------------------------------------------------------------ munmap

    @Test
    void munmap_clearsTheRangeAndPredictsItsRejections() {
        VmStateMachine.State s = threeFour();
        assertThat(run(s, "munmap", 0, 3, 7, 0)).isEqualTo("P0.munmap(0x3001, 0 pages) -> rejected MISALIGNED");
        assertThat(run(s, "munmap", 0, 3, 0, 0)).endsWith("-> rejected ZERO_LENGTH");
        assertThat(run(s, "munmap", 0, 13, 0, 4)).endsWith("-> rejected OUT_OF_RANGE");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, STACK);
        assertThat(run(s, "munmap", 0, 4, 0, 1)).isEqualTo("P0.munmap(0x4000, 1 pages) -> ok");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, STACK);
        assertThat(run(s, "munmap", 0, 12, 0, 4)).endsWith("-> ok");
        assertThat(pages(s, 0).keySet()).containsExactly(3L);
    }

    // ------------------------------------------------------------------ brk

    @Test
    void brk_growsAndShrinksTheHeapInTheModel() {
        VmStateMachine.State s = init();
        // brk draws: process, a query one time in six, the page (from start_brk - 1), eight bytes past it one time in three.
        assertThat(run(s, "brk", 0, 0, 3, 0)).isEqualTo("P0.brk(0x4000) -> 0x4000");
        assertThat(pages(s, 0).keySet()).containsExactly(2L, 3L, STACK);
        assertThat(model(s, 0, 2).prot()).isEqualTo(Prot.RW);
        assertThat(run(s, "brk", 0, 0, 1, 2)).isEqualTo("P0.brk(0x2008) -> 0x2008");
        assertThat(pages(s, 0).keySet()).containsExactly(2L, STACK);
        assertThat(run(s, "brk", 0, 5, 4, 0)).isEqualTo("P0.brk(null) -> 0x2008");
        assertThat(run(s, "brk", 0, 0, 0, 0)).isEqualTo("P0.brk(0x1000) -> 0x2008");
        assertThat(run(s, "brk", 0, 0, 5, 0)).as("past the heap limit").isEqualTo("P0.brk(0x6000) -> 0x2008");
        assertThat(run(s, "brk", 0, 0, 4, 0)).isEqualTo("P0.brk(0x5000) -> 0x5000");
        assertThat(pages(s, 0).keySet()).containsExactly(2L, 3L, 4L, STACK);
        assertThat(run(s, "brk", 0, 0, 1, 0)).isEqualTo("P0.brk(0x2000) -> 0x2000");
        assertThat(pages(s, 0).keySet()).containsExactly(STACK);
    }

    @Test
    void brk_checksTheHeapGrowsOnlyOverPagesTheModelHasFree() {
        VmStateMachine.State s = init();
        pages(s, 0).put(3L, VmStateMachine.ModelPage.fresh(Prot.R, false));
        checkFails(s, "brk", "brk grew over mapped page 3", 0, 0, 3, 0);
    }

    // ------------------------------------------------------------------ access

    @Test
    void access_storesTheNextWordAndLoadsItBack() {
        VmStateMachine.State s = init();
        assertThat(run(s, "access", write(0, STACK))).isEqualTo("P0.WRITE(page 15, 0x1) -> 1");
        assertThat(s.nextWord).isEqualTo(2);
        assertThat(model(s, 0, STACK).word()).isEqualTo(1);
        assertThat(run(s, "access", read(0, STACK))).isEqualTo("P0.READ(page 15) -> 1");
        assertThat(s.nextWord).isEqualTo(2);
        assertThat(run(s, "access", exec(0, STACK))).isEqualTo("P0.EXECUTE(page 15) -> rejected ACCERR");
        assertThat(run(s, "access", write(0, STACK))).endsWith("-> 2");
        assertThat(model(s, 0, STACK).word()).isEqualTo(2);
        assertThat(s.nextWord).isEqualTo(3);
        assertThat(run(s, "access", read(0, 5))).as("below the stack").endsWith("-> rejected STACK_LIMIT");
        run(s, "mmap", fixed(5, 1, RX));
        assertThat(run(s, "access", read(0, 4))).as("below an area that is not the stack").endsWith("-> rejected MAPERR");
        assertThat(run(s, "access", exec(0, 5))).endsWith("-> -1");
        assertThat(run(s, "access", write(0, 5))).endsWith("-> rejected ACCERR");
        assertThat(s.nextWord).isEqualTo(3);
        run(s, "mmap", fixed(6, 1, NONE));
        assertThat(run(s, "access", read(0, 6))).endsWith("-> rejected ACCERR");
    }

    @Test
    void access_belowTheStackGrowsItInTheModel() {
        VmStateMachine.State s = init();
        assertThat(run(s, "access", write(0, 13))).endsWith("-> 1");
        assertThat(pages(s, 0).keySet()).containsExactly(13L, 14L, STACK);
        assertThat(model(s, 0, 13).word()).isEqualTo(1);
        assertThat(model(s, 0, 14).word()).isZero();
        assertThat(model(s, 0, 14).prot()).isEqualTo(Prot.RW);
        assertThat(s.nextWord).isEqualTo(2);
        assertThat(run(s, "access", read(0, 12))).endsWith("-> rejected STACK_LIMIT");
        VmStateMachine.State t = init();
        assertThat(run(t, "access", read(0, 14))).endsWith("-> 0");
        assertThat(pages(t, 0).keySet()).containsExactly(14L, STACK);
        assertThat(t.nextWord).isEqualTo(1);
    }

    @Test
    void access_outOfFramesIsAllowedOnlyWhereTheModelAllowsTheAccess() {
        VmStateMachine.State s = threeFour();
        while (s.sys.frames().allocator().freeFrames() > 0) {
            s.sys.frames().corruptLeak();
        }
        assertThat(run(s, "access", write(0, 3))).endsWith("-> rejected OUT_OF_MEMORY");
        assertThat(s.nextWord).isEqualTo(1);
        assertThat(model(s, 0, 3).word()).isZero();
    }

    @Test
    void access_comparesTheRejectionWithTheModelsProtection() {
        VmStateMachine.State s = init();
        pages(s, 0).put(STACK, model(s, 0, STACK).withProt(Prot.RX));
        mismatch(s, "access", "access outcome", exec(0, STACK));
    }

    @Test
    void access_checksASuccessAgainstTheModelsProtection() {
        VmStateMachine.State s = init();
        pages(s, 0).put(STACK, model(s, 0, STACK).withProt(Prot.R));
        checkFails(s, "access", "WRITE of page 15 allowed, but the model's protection is r--", write(0, STACK));
        VmStateMachine.State t = init();
        pages(t, 0).put(STACK, model(t, 0, STACK).withProt(Prot.NONE));
        checkFails(t, "access", "READ of page 15 allowed, but the model's protection is ---", read(0, STACK));
    }

    @Test
    void access_comparesTheWordReadWithTheModel() {
        VmStateMachine.State s = init();
        run(s, "access", write(0, STACK));
        model(s, 0, STACK).cell().word = 9;
        mismatch(s, "access", "word read from page 15", read(0, STACK));
    }

    @Test
    void access_checksAnUnmappedPageOnlyBecomesAccessibleByStackGrowth() {
        VmStateMachine.State s = threeFour();
        run(s, "munmap", 0, STACK, 0, 1);
        pages(s, 0).remove(3L);
        checkFails(s, "access", "access to unmapped page 3 succeeded without stack growth", read(0, 3));
    }

    // ------------------------------------------------------------------ fork and exit

    @Test
    void fork_addsTheChildsCopyOfTheModelAndExitRemovesIt() {
        VmStateMachine.State s = threeFour();
        run(s, "access", write(0, 3));
        assertThat(run(s, "fork", 0)).isEqualTo("P0.fork() -> 1");
        assertThat(s.model).hasSize(2);
        assertThat(pages(s, 1).keySet()).containsExactly(3L, 4L, STACK);
        assertThat(model(s, 1, 3).word()).isEqualTo(1);
        assertThat(model(s, 1, 3).cell()).isNotSameAs(model(s, 0, 3).cell());
        assertThat(run(s, "fork", 1)).isEqualTo("P1.fork() -> 2");
        run(s, "access", write(2, 4));
        assertThat(model(s, 2, 4).word()).isEqualTo(2);
        assertThat(model(s, 1, 4).word()).isZero();
        assertThat(run(s, "exit", 1)).isEqualTo("P1.exit() -> ok");
        assertThat(s.model).hasSize(2);
        assertThat(model(s, 1, 4).word()).as("the grandchild is P1 now").isEqualTo(2);
        assertThat(run(s, "exit", 0)).isEqualTo("P0.exit() -> ok");
        assertThat(s.model).hasSize(1);
        assertThat(model(s, 0, 4).word()).isEqualTo(2);
    }

    @Test
    void fork_outOfFramesIsItsOnlyRejection() {
        VmStateMachine.State s = init();
        while (s.sys.frames().allocator().freeFrames() > 0) {
            s.sys.frames().corruptLeak();
        }
        assertThat(run(s, "fork", 0)).isEqualTo("P0.fork() -> rejected OUT_OF_MEMORY");
        assertThat(s.model).hasSize(1);
    }

    @Test
    void fork_comparesTheChildsIndexWithTheModel() {
        VmStateMachine.State s = init();
        s.model.add(new TreeMap<>());
        mismatch(s, "fork", "child index", 0);
    }

    // ------------------------------------------------------------------ mremap

    @Test
    void mremap_predictsTheRefusedFlagCombinations() {
        VmStateMachine.State s = threeFour();
        Remap unknown = Remap.of(0, 1, 1L);
        unknown.unknown = true;
        assertThat(run(s, "mremap", unknown.draws())).endsWith("-> rejected BAD_FLAGS");
        Remap fixedNoMove = Remap.of(0, 1, 1L).to(8);
        fixedNoMove.fixed = true;
        fixedNoMove.mayMove = false;
        assertThat(run(s, "mremap", fixedNoMove.draws())).endsWith("-> rejected BAD_FLAGS");
        Remap dontUnmapNoMove = Remap.of(0, 1, null).to(8);
        dontUnmapNoMove.dontUnmap = true;
        dontUnmapNoMove.mayMove = false;
        assertThat(run(s, "mremap", dontUnmapNoMove.draws())).endsWith("-> rejected BAD_FLAGS");
        Remap dontUnmapResize = Remap.of(0, 1, 2L).to(8);
        dontUnmapResize.dontUnmap = true;
        assertThat(run(s, "mremap", dontUnmapResize.draws())).endsWith("-> rejected BAD_FLAGS");
        Remap fixedMoves = Remap.of(0, 1, 1L).to(8);
        fixedMoves.fixed = true;
        assertThat(run(s, "mremap", fixedMoves.draws())).isEqualTo("P0.mremap(0x3000, 1 pages, 1 pages, MAYMOVE|FIXED, 0x8000) -> 0x8000");
        assertThat(pages(s, 0).keySet()).containsExactly(4L, 8L, STACK);
    }

    @Test
    void mremap_predictsTheArgumentChecksInLinuxsOrder() {
        VmStateMachine.State s = threeFour();
        Remap unaligned = Remap.of(0, 1, 0L);
        unaligned.unaligned = true;
        assertThat(run(s, "mremap", unaligned.draws())).startsWith("P0.mremap(0x3008,").endsWith("-> rejected MISALIGNED");
        assertThat(run(s, "mremap", Remap.of(0, 1, 0L).draws())).endsWith("-> rejected ZERO_LENGTH");
        assertThat(run(s, "mremap", Remap.of(7, 1, 1L).raw().draws())).startsWith("P0.mremap(0x7000,")
                .endsWith("-> rejected BAD_ADDRESS");
        Remap unalignedTarget = Remap.of(0, 1, 1L).to(8);
        unalignedTarget.fixed = true;
        unalignedTarget.unalignedTarget = true;
        assertThat(run(s, "mremap", unalignedTarget.draws())).endsWith(", 0x8008) -> rejected MISALIGNED");
        Remap pastTop = Remap.of(0, 1, 3L).to(14);
        pastTop.fixed = true;
        assertThat(run(s, "mremap", pastTop.draws())).endsWith("-> rejected OUT_OF_RANGE");
        Remap next = Remap.of(0, 2, 2L);
        next.fixed = true;
        next.aim = 0;
        assertThat(run(s, "mremap", next.draws())).endsWith(", 0x4000) -> rejected OVERLAP");
        Remap below = Remap.of(0, 2, 2L);
        below.fixed = true;
        below.aim = 1;
        assertThat(run(s, "mremap", below.draws())).endsWith(", 0x0) -> rejected BELOW_MIN_ADDR");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, STACK);
        // Shrinking past the top of user space.
        assertThat(run(s, "mremap", Remap.of(2, 2, 1L).draws())).startsWith("P0.mremap(0xf000, 2 pages, 1 pages")
                .endsWith("-> rejected OUT_OF_RANGE");
    }

    @Test
    void mremap_fixedUpToTheTopAndJustClearOfTheOldRange() {
        VmStateMachine.State s = threeFour();
        Remap top = Remap.of(0, 2, 2L).to(13);
        top.fixed = true;
        assertThat(run(s, "mremap", top.draws())).endsWith("-> 0xd000");
        assertThat(pages(s, 0).keySet()).containsExactly(13L, 14L, STACK);
        Remap back = Remap.of(0, 2, 2L).to(11);
        back.fixed = true;
        assertThat(run(s, "mremap", back.draws())).endsWith("-> 0xb000");
        assertThat(pages(s, 0).keySet()).containsExactly(11L, 12L, STACK);
        Remap left = Remap.of(0, 2, 2L).to(9);
        left.fixed = true;
        assertThat(run(s, "mremap", left.draws())).endsWith("-> 0x9000");
    }

    @Test
    void mremap_shrinksAndGrowsInPlace() {
        VmStateMachine.State s = threeFour();
        run(s, "access", write(0, 3));
        assertThat(run(s, "mremap", Remap.of(0, 2, 1L).draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 1 pages, MAYMOVE, 0x0) -> 0x3000");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, STACK);
        assertThat(run(s, "mremap", Remap.of(0, 1, 3L).draws())).endsWith("-> 0x3000");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, 5L, STACK);
        assertThat(model(s, 0, 3).word()).isEqualTo(1);
        assertThat(model(s, 0, 5).prot()).isEqualTo(Prot.RW);
        assertThat(model(s, 0, 5).word()).isZero();
        assertThat(run(s, "access", read(0, 5))).endsWith("-> 0");
    }

    @Test
    void mremap_growsOnlyWithinTheAreaItStartsIn() {
        VmStateMachine.State s = threeFour();
        assertThat(run(s, "mremap", Remap.of(0, 3, 4L).draws())).endsWith("-> rejected BAD_ADDRESS");
        // A zero-length private range has nothing to grow from.
        assertThat(run(s, "mremap", Remap.of(0, 0, 1L).draws())).endsWith("-> rejected ZERO_LENGTH");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, STACK);
    }

    @Test
    void mremap_withoutMayMoveIsNoSpaceWhereItCannotGrowAndTheStackCannotMove() {
        VmStateMachine.State s = threeFour();
        run(s, "mmap", fixed(5, 1, R));
        Remap stuck = Remap.of(0, 2, 3L);
        stuck.mayMove = false;
        assertThat(run(s, "mremap", stuck.draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 3 pages, 0, 0x0) -> rejected NO_SPACE");
        // The stack's page, grown: in place is past the top, and a stack does not move.
        assertThat(run(s, "mremap", Remap.of(3, 1, 2L).draws())).startsWith("P0.mremap(0xf000,")
                .endsWith("-> rejected STACK_MOVE");
        // Growing with MREMAP_MAYMOVE moves the area to free pages.
        String moved = run(s, "mremap", Remap.of(0, 2, 3L).draws());
        long to = Long.decode(moved.substring(moved.lastIndexOf(' ') + 1)) >>> Vma.PAGE_SHIFT;
        assertThat(to).isNotEqualTo(3);
        assertThat(pages(s, 0).keySet()).containsExactlyInAnyOrder(5L, to, to + 1, to + 2, STACK);
    }

    @Test
    void mremap_noSpaceOnlyWhenTheModelHasNoFreeRun() {
        VmStateMachine.State s = init();
        run(s, "mmap", fixed(1, 4, RW));
        run(s, "mmap", fixed(5, 4, R));
        run(s, "mmap", fixed(9, 4, RW));
        assertThat(run(s, "mremap", Remap.of(4, 2, 3L).draws())).startsWith("P0.mremap(0x5000, 2 pages, 3 pages")
                .endsWith("-> rejected NO_SPACE");
        pages(s, 0).subMap(9L, 13L).clear();
        mismatch(s, "mremap", "mremap outcome", Remap.of(4, 2, 3L).draws());
    }

    @Test
    void mremap_dontUnmapLeavesPrivatePagesFreshAndSharedOnesAsTheyWere() {
        VmStateMachine.State s = threeFour();
        run(s, "access", write(0, 3));
        Remap keep = Remap.of(0, 1, null).to(8);
        keep.dontUnmap = true;
        assertThat(run(s, "mremap", keep.draws())).isEqualTo("P0.mremap(0x3000, 1 pages, 1 pages, MAYMOVE|DONTUNMAP, 0x8000) -> 0x8000");
        assertThat(model(s, 0, 8).word()).isEqualTo(1);
        assertThat(model(s, 0, 3).word()).isZero();
        assertThat(model(s, 0, 3).prot()).isEqualTo(Prot.RW);
        assertThat(pages(s, 0)).containsKeys(3L, 4L, 8L);

        VmStateMachine.State t = init();
        run(t, "mmap", sharedFixed(3, 2, RW));
        run(t, "access", write(0, 3));
        Remap shared = Remap.of(0, 1, null).to(8);
        shared.dontUnmap = true;
        shared.fixed = true;
        assertThat(run(t, "mremap", shared.draws())).endsWith("-> 0x8000");
        assertThat(model(t, 0, 3).cell()).isSameAs(model(t, 0, 8).cell());
        assertThat(model(t, 0, 3).word()).isEqualTo(1);
    }

    @Test
    void mremap_ofASharedMappingGrowsOverWhatItsObjectStillHolds() {
        VmStateMachine.State s = init();
        run(s, "mmap", sharedFixed(3, 2, RW));
        run(s, "access", write(0, 4));
        run(s, "mremap", Remap.of(0, 2, 1L).draws());
        assertThat(pages(s, 0)).doesNotContainKey(4L);
        assertThat(run(s, "mremap", Remap.of(0, 1, 3L).draws())).endsWith("-> 0x3000");
        assertThat(model(s, 0, 4).word()).isEqualTo(1);
        assertThat(model(s, 0, 5).off()).isEqualTo(2);
        assertThat(run(s, "access", read(0, 4))).endsWith("-> 1");
        // A zero-length shared range duplicates the mapping elsewhere.
        String dup = run(s, "mremap", Remap.of(0, 0, 2L).draws());
        long to = Long.decode(dup.substring(dup.lastIndexOf(' ') + 1)) >>> Vma.PAGE_SHIFT;
        assertThat(model(s, 0, to + 1).cell()).isSameAs(model(s, 0, 4).cell());
        assertThat(model(s, 0, 3).word()).isZero();
        // A move that shrinks: the pages past the new length go.
        Remap shrink = Remap.of(0, 3, 1L).to(9);
        shrink.fixed = true;
        assertThat(run(s, "mremap", shrink.draws())).endsWith("-> 0x9000");
        assertThat(pages(s, 0)).doesNotContainKeys(3L, 4L, 5L).containsKey(9L);
    }

    @Test
    void mremap_comparesTheOutcomeWithTheModel() {
        VmStateMachine.State s = threeFour();
        pages(s, 0).remove(3L);
        mismatch(s, "mremap", "mremap outcome", Remap.of(3, 1, 1L).raw().draws());
    }

    @Test
    void mremap_checksAMoveLandsOnPagesTheModelHasFree() {
        VmStateMachine.State s = threeFour();
        run(s, "mmap", fixed(5, 1, R));
        String moved = run(copyOf(), "mremap", Remap.of(0, 2, 3L).draws());
        long to = Long.decode(moved.substring(moved.lastIndexOf(' ') + 1)) >>> Vma.PAGE_SHIFT;
        pages(s, 0).put(to, VmStateMachine.ModelPage.fresh(Prot.RW, false));
        checkFails(s, "mremap", "mremap without MREMAP_FIXED moved page " + to + " over a mapping or outside user space",
                Remap.of(0, 2, 3L).draws());
    }

    // ------------------------------------------------------------------ more boundaries, found by mutation testing

    @Test
    void everyRuleEndsByComparingEveryPage() {
        java.util.Map<String, long[]> rules = new java.util.LinkedHashMap<>();
        rules.put("mmap", fixed(3, 1, RW));
        rules.put("mprotect", new long[] {0, STACK, 0, 1, R});
        rules.put("munmap", new long[] {0, 3, 0, 1});
        rules.put("mremap", Remap.of(STACK, 1, 1L).raw().draws());
        rules.put("brk", new long[] {0, 0, 3, 0});
        rules.put("access", read(0, STACK));
        rules.put("fork", new long[] {0});
        rules.forEach((rule, draws) -> {
            VmStateMachine.State s = init();
            pages(s, 0).put(9L, VmStateMachine.ModelPage.fresh(Prot.R, false));
            mismatch(s, rule, "P0 page 9 protection", draws);
        });
        VmStateMachine.State s = init();
        run(s, "fork", 0);
        pages(s, 0).put(9L, VmStateMachine.ModelPage.fresh(Prot.R, false));
        mismatch(s, "exit", "P0 page 9 protection", 1);
    }

    @Test
    void theLiftedInvariantsReportTheVmsViolationsAndTheSnapshotIsTheSystemAndTheModel() {
        VmStateMachine.State s = init();
        run(s, "access", write(0, STACK));
        assertThat(M.snapshot(s)).isEqualTo(List.of(s.sys.key(), s.model.toString()));
        assertThat(String.valueOf(model(s, 0, STACK).cell())).isEqualTo("1");
        assertThat(s.model.toString()).contains("cell=1");
        s.sys.frames().corruptLeak();
        assertThat(M.invariants().violations(s)).extracting(org.mmspec.check.Violation::invariantId).containsExactly("XLAYER-2");
        assertThat(M.invariants().violations(s).get(0).detail())
                .isEqualTo(VmInvariants.ALL.violations(s.sys).get(0).detail());
    }

    @Test
    void theProcessIsDrawnAmongTheLiveOnes() {
        VmStateMachine.State s = init();
        run(s, "fork", 0);
        // A replayed draw too large for the bound is reduced modulo it: 3 of two processes is P1.
        assertThat(run(s, "access", 3, STACK, 0)).startsWith("P1.READ(page 15)");
    }

    @Test
    void mmap_fixedNoReplaceAtAnUnalignedAddressIsMisaligned() {
        VmStateMachine.State s = init();
        assertThat(run(s, "mmap", 0, 0, 2, 0, 3, 0, 5, 1, RW, 2))
                .isEqualTo("P0.mmap(0x5008, 1 pages, rw-, PRIVATE|ANON|FIXED_NOREPLACE) -> rejected MISALIGNED");
    }

    @Test
    void access_growingTheStackKeepsItsOldPages() {
        VmStateMachine.State s = init();
        run(s, "access", write(0, STACK));
        assertThat(run(s, "access", read(0, 14))).endsWith("-> 0");
        assertThat(model(s, 0, STACK).word()).isEqualTo(1);
        assertThat(run(s, "access", read(0, STACK))).endsWith("-> 1");
    }

    @Test
    void access_onlyTheStackGrowsBelowItself() {
        VmStateMachine.State s = threeFour();
        run(s, "mmap", fixed(6, 1, RW));
        run(s, "munmap", 0, STACK, 0, 1);
        pages(s, 0).remove(3L);
        checkFails(s, "access", "access to unmapped page 3 succeeded without stack growth", read(0, 3));
    }

    @Test
    void access_checksEveryFaultInvariantAfterTheFault() {
        VmStateMachine.State s = init();
        run(s, "access", write(0, STACK));
        AddressSpace as = s.sys.space(0);
        // The hardware PTE loses its user bit behind the address space's back: the fault resolves nothing.
        as.mapper().updateFlags(org.mmspec.paging.Page.of4k(STACK << Vma.PAGE_SHIFT),
                as.hwFlags(as.translation(STACK).orElseThrow()).without(org.mmspec.paging.PageFlags.USER));
        assertThatThrownBy(() -> run(s, "access", read(0, STACK))).isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("FAULT-1");
    }

    @Test
    void mmap_thePageBelowAStackGrownToItsFloorIsInTheGuardGap() {
        VmStateMachine.State s = init();
        run(s, "access", write(0, 13));
        run(s, "mmap", fixed(1, 4, RW));
        run(s, "mmap", fixed(5, 4, RW));
        run(s, "mmap", fixed(9, 3, RW));
        assertThat(run(s, "mmap", hint(5, 1, RW))).endsWith("-> rejected NO_SPACE");
    }

    @Test
    void mremap_aMoveFillsTheOnlyHoleUpToTheNextMapping() {
        VmStateMachine.State s = threeFour();
        run(s, "mmap", fixed(1, 2, R));
        run(s, "mmap", fixed(5, 1, R));
        run(s, "mmap", fixed(9, 4, R));
        assertThat(run(s, "mremap", Remap.of(2, 2, 3L).draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 3 pages, MAYMOVE, 0x0) -> 0x6000");
        assertThat(pages(s, 0).subMap(3L, 10L).keySet()).containsExactly(5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void mremap_ofTheWholeStackPastTheTopAtTheSameLengthIsInPlace() {
        VmStateMachine.State s = init();
        assertThat(run(s, "mremap", Remap.of(0, 2, 2L).draws())).isEqualTo("P0.mremap(0xf000, 2 pages, 2 pages, MAYMOVE, 0x0) -> 0xf000");
    }

    @Test
    void mmap_predictsNoSpaceFromTheGuardGapBelowTheModelsStackOnly() {
        VmStateMachine.State s = init();
        run(s, "mmap", fixed(1, 4, RW));
        run(s, "mmap", fixed(5, 4, RW));
        run(s, "mmap", fixed(9, 4, RW));
        // The model's pages 14 and 15 are free and nothing at or below 15 guards them (page 16 is past the top).
        pages(s, 0).remove(STACK);
        pages(s, 0).put(13L, VmStateMachine.ModelPage.fresh(Prot.RW, false));
        pages(s, 0).put(16L, VmStateMachine.ModelPage.fresh(Prot.RW, false));
        mismatch(s, "mmap", "mmap outcome", hint(5, 2, RW));
    }

    @Test
    void mmap_mayPlaceAHintedRangeAtTheLowestPage() {
        assertThat(run(init(), "mmap", hint(1, 1, RW))).endsWith("-> 0x1000");
    }

    @Test
    void mremap_drawsItsPageFromMappedPagesOffTheStackMostly() {
        VmStateMachine.State s = threeFour();
        assertThat(run(s, "mremap", Remap.of(2, 1, 1L).raw().draws())).startsWith("P0.mremap(0x2000,");
        Remap offStack = Remap.of(2, 1, 1L);
        offStack.from = 2;
        assertThat(run(s, "mremap", offStack.draws())).startsWith("P0.mremap(0x3000,");
        assertThat(run(s, "mremap", Remap.of(2, 1, 1L).draws())).startsWith("P0.mremap(0xf000,");
        VmStateMachine.State stackOnly = init();
        assertThat(run(stackOnly, "mremap", offStack.draws())).startsWith("P0.mremap(0xf000,");
        VmStateMachine.State empty = init();
        run(empty, "munmap", 0, STACK, 0, 1);
        assertThat(run(empty, "mremap", Remap.of(7, 1, 1L).draws())).isEqualTo(
                "P0.mremap(0x7000, 1 pages, 1 pages, MAYMOVE, 0x0) -> rejected BAD_ADDRESS");
    }

    @Test
    void mremap_aimedAtPageZeroKeepsTheOldRangeInsideItsArea() {
        VmStateMachine.State s = threeFour();
        Remap below = Remap.of(1, 2, 2L);
        below.fixed = true;
        below.aim = 1;
        assertThat(run(s, "mremap", below.draws())).isEqualTo("P0.mremap(0x4000, 1 pages, 2 pages, MAYMOVE|FIXED, 0x0) -> rejected BELOW_MIN_ADDR");
        below.page = 0;
        assertThat(run(s, "mremap", below.draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 2 pages, MAYMOVE|FIXED, 0x0) -> rejected BELOW_MIN_ADDR");
        Remap next = Remap.of(0, 2, 2L);
        next.fixed = true;
        next.aim = 0;
        assertThat(run(s, "mremap", next.draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 2 pages, MAYMOVE|FIXED, 0x4000) -> rejected OVERLAP");
    }

    @Test
    void mremap_drawsTheTargetAndTheNewLengthOnlyWhenTheFlagsUseThem() {
        VmStateMachine.State s = threeFour();
        Remap keep = Remap.of(0, 2, null).to(8);
        keep.dontUnmap = true;
        keep.unalignedTarget = true;
        assertThat(run(s, "mremap", keep.draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 2 pages, MAYMOVE|DONTUNMAP, 0x8008) -> rejected MISALIGNED");
        Remap noHint = Remap.of(0, 2, 1L);
        noHint.hint = false;
        assertThat(run(s, "mremap", noHint.draws())).isEqualTo("P0.mremap(0x3000, 2 pages, 1 pages, MAYMOVE) -> 0x3000");
        // A fixed move draws no hint: a draw left over changes nothing.
        VmStateMachine.State t = threeFour();
        Remap fixed = Remap.of(0, 2, 2L).to(8);
        fixed.fixed = true;
        long[] d = fixed.draws();
        long[] extra = java.util.Arrays.copyOf(d, d.length + 1);
        extra[d.length] = 1;
        assertThat(run(t, "mremap", extra)).isEqualTo("P0.mremap(0x3000, 2 pages, 2 pages, MAYMOVE|FIXED, 0x8000) -> 0x8000");
        // DONTUNMAP without a hint moves anywhere (the drawn target, over the old range, is not used).
        VmStateMachine.State u = threeFour();
        Remap anywhere = Remap.of(0, 1, null).to(3);
        anywhere.dontUnmap = true;
        anywhere.hint = false;
        assertThat(run(u, "mremap", anywhere.draws())).startsWith("P0.mremap(0x3000, 1 pages, 1 pages, MAYMOVE|DONTUNMAP) -> 0x")
                .doesNotContain("rejected");
    }

    @Test
    void mremap_movingKeepsOnlyThePagesOfTheShorterLength() {
        VmStateMachine.State s = threeFour();
        Remap shrink = Remap.of(1, 2, 1L).to(8);
        shrink.fixed = true;
        // [4, 6) reaches past the area [3, 5), but only [4, 5) moves.
        assertThat(run(s, "mremap", shrink.draws())).isEqualTo("P0.mremap(0x4000, 2 pages, 1 pages, MAYMOVE|FIXED, 0x8000) -> 0x8000");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 8L, STACK);
        Remap none = Remap.of(0, 0, 1L).to(10);
        none.fixed = true;
        assertThat(run(s, "mremap", none.draws())).endsWith("-> rejected ZERO_LENGTH");

        VmStateMachine.State t = threeFour();
        run(t, "mmap", fixed(2, 1, R));
        run(t, "mmap", fixed(5, 1, R));
        Remap grow = Remap.of(1, 2, 3L).to(8);
        grow.fixed = true;
        assertThat(run(t, "mremap", grow.draws())).endsWith("-> 0x8000");
        assertThat(model(t, 0, 10).prot()).isEqualTo(Prot.RW);
        assertThat(pages(t, 0).keySet()).containsExactly(2L, 5L, 8L, 9L, 10L, STACK);
        Remap back = Remap.of(2, 3, 1L).to(3);
        back.fixed = true;
        assertThat(run(t, "mremap", back.draws())).endsWith("-> 0x3000");
        assertThat(pages(t, 0).keySet()).containsExactly(2L, 3L, 5L, STACK);
    }

    @Test
    void mremap_rangeChecksAtTheirBoundaries() {
        VmStateMachine.State s = threeFour();
        Remap top = Remap.of(0, 2, 2L).to(14);
        top.fixed = true;
        assertThat(run(s, "mremap", top.draws())).endsWith("-> 0xe000");
        VmStateMachine.State t = threeFour();
        Remap adjacent = Remap.of(0, 2, 2L).to(5);
        adjacent.fixed = true;
        assertThat(run(t, "mremap", adjacent.draws())).endsWith("-> 0x5000");
        VmStateMachine.State u = threeFour();
        Remap lowest = Remap.of(0, 2, 2L).to(1);
        lowest.fixed = true;
        assertThat(run(u, "mremap", lowest.draws())).endsWith("-> 0x1000");
        assertThat(pages(u, 0).keySet()).containsExactly(1L, 2L, STACK);
        // Shrinking in place a range that ends exactly at the top of user space.
        VmStateMachine.State v = init();
        run(v, "mmap", fixed(12, 4, RW));
        assertThat(run(v, "mremap", Remap.of(2, 2, 1L).draws())).isEqualTo("P0.mremap(0xe000, 2 pages, 1 pages, MAYMOVE, 0x0) -> 0xe000");
        assertThat(pages(v, 0).keySet()).containsExactly(12L, 13L, 14L);
    }

    @Test
    void mremap_withoutMayMoveSucceedsInPlace() {
        VmStateMachine.State s = threeFour();
        Remap same = Remap.of(0, 1, 1L);
        same.mayMove = false;
        assertThat(run(s, "mremap", same.draws())).endsWith("-> 0x3000");
        Remap grow = Remap.of(0, 2, 3L);
        grow.mayMove = false;
        assertThat(run(s, "mremap", grow.draws())).endsWith("-> 0x3000");
        assertThat(pages(s, 0).keySet()).containsExactly(3L, 4L, 5L, STACK);
        VmStateMachine.State t = init();
        run(t, "munmap", 0, STACK, 0, 1);
        run(t, "mmap", fixed(13, 1, RW));
        Remap toTop = Remap.of(0, 1, 3L);
        toTop.mayMove = false;
        assertThat(run(t, "mremap", toTop.draws())).endsWith("-> 0xd000");
        assertThat(pages(t, 0).keySet()).containsExactly(13L, 14L, STACK);
    }

    /** The same history replayed on a fresh machine: P0 with [3, 5) rw- and [5, 6) r--. */
    private static VmStateMachine.State copyOf() {
        VmStateMachine.State t = threeFour();
        run(t, "mmap", fixed(5, 1, R));
        return t;
    }
}
