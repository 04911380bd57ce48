package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;

/**
 * The model-based state machines of the frame allocators. Each state holds the allocator under
 * test and a trivially correct model ({@link ReferenceFrameAllocator}); every rule performs one
 * operation on both and requires them to agree on the outcome (the run returned, or the error
 * kind) and on the free-frame count. The rules draw bad input on purpose (zero and impossible
 * sizes, double and partial frees, reserved and out-of-range frames, bad orders, misaligned
 * blocks), so that {@link Step#perform} checks ATOMIC-1 on every rejection.
 */
public final class FrameMachines {
    private FrameMachines() {
    }

    // ---------------------------------------------------------------- bitmap

    /** A bitmap allocator and its model. */
    public static final class BitmapCase {
        final BitmapAllocator impl;
        final ReferenceFrameAllocator model;

        BitmapCase(BitmapAllocator impl) {
            this.impl = impl;
            this.model = FrameOracle.reference(impl.managed(), impl.reserved());
        }

        public BitmapAllocator impl() {
            return impl;
        }

        @Override
        public String toString() {
            return impl.toString();
        }
    }

    /** Bitmap over 1..320 frames (so runs cross 64-frame words and summary words matter), first fit vs. the model. */
    public static StateMachine<BitmapCase> bitmap() {
        return bitmap(BitmapAllocator.Bug.NONE);
    }

    static StateMachine<BitmapCase> bitmap(BitmapAllocator.Bug bug) {
        return new Machine<>("frames/bitmap", lift(FrameInvariants.BITMAP, BitmapCase::impl), c -> {
            FrameRange m = FrameRange.of(c.between(0, 100), c.oneIn(4) ? c.between(1, 320) : c.between(1, 80));
            return new BitmapCase(construct(c, m, 3, r -> new BitmapAllocator(m, r, bug)));
        }, s -> s.impl.key(), List.of(
                Rule.of("allocate", (s, step) -> {
                    long n = s.impl.managedFrames();
                    long count = drawCount(step, n, n);
                    step.call("allocate(%d)", count);
                    Outcome<FrameRange> got = step.perform(() -> s.impl.allocate(count));
                    FrameRange want = null;
                    String wantKind;
                    if (count < 1) {
                        wantKind = FrameError.Kind.ZERO_SIZE.name();
                    } else if (count > n) {
                        wantKind = FrameError.Kind.IMPOSSIBLE_SIZE.name();
                    } else if (s.model.hasRun(count, 1)) {
                        want = s.model.allocate(count);
                        wantKind = "ok";
                    } else {
                        wantKind = FrameError.Kind.OUT_OF_MEMORY.name();
                    }
                    step.agree("allocate(" + count + ") outcome", got.kind(), wantKind);
                    if (got.isOk()) {
                        step.agree("allocate(" + count + ") run (first fit)", got.value(), want);
                    }
                    step.agree("freeFrames", s.impl.freeFrames(), s.model.freeFrames());
                }),
                Rule.of("allocateAligned", (s, step) -> {
                    long n = s.impl.managedFrames();
                    long count = drawCount(step, n, n);
                    long align = drawAlign(step);
                    step.call("allocate(%d, align %d)", count, align);
                    Outcome<FrameRange> got = step.perform(() -> s.impl.allocate(count, align));
                    FrameRange want = null;
                    String wantKind;
                    if (count < 1) {
                        wantKind = FrameError.Kind.ZERO_SIZE.name();
                    } else if (!isPowerOfTwo(align)) {
                        wantKind = FrameError.Kind.MISALIGNED.name();
                    } else if (count > n) {
                        wantKind = FrameError.Kind.IMPOSSIBLE_SIZE.name();
                    } else if (s.model.hasRun(count, align)) {
                        want = s.model.allocateAligned(count, align);
                        wantKind = "ok";
                    } else {
                        wantKind = FrameError.Kind.OUT_OF_MEMORY.name();
                    }
                    String what = "allocate(" + count + ", align " + align + ")";
                    step.agree(what + " outcome", got.kind(), wantKind);
                    if (got.isOk()) {
                        step.agree(what + " run (aligned first fit)", got.value(), want);
                    }
                    step.agree("freeFrames", s.impl.freeFrames(), s.model.freeFrames());
                }),
                isFreeRule(s -> s.impl.managed(), s -> s.model, s -> s.impl),
                freeLiveRule(s -> s.model, s -> s.impl),
                badFreeRule(s -> s.impl.managed(), s -> s.impl.reserved(), s -> s.model, s -> s.impl)));
    }

    // ---------------------------------------------------------------- buddy

    /** A buddy allocator and its model. */
    public static final class BuddyCase {
        final BuddyAllocator impl;
        final ReferenceFrameAllocator model;

        BuddyCase(BuddyAllocator impl) {
            this.impl = impl;
            this.model = FrameOracle.reference(impl.managed(), impl.reserved());
        }

        public BuddyAllocator impl() {
            return impl;
        }

        @Override
        public String toString() {
            return impl.toString();
        }
    }

    /** Buddy over an often unaligned region with orders 0..0-7; success iff the model has a free aligned window. */
    public static StateMachine<BuddyCase> buddy() {
        return buddy(BuddyAllocator.Bug.NONE);
    }

    static StateMachine<BuddyCase> buddy(BuddyAllocator.Bug bug) {
        return new Machine<>("frames/buddy", lift(FrameInvariants.BUDDY, BuddyCase::impl), c -> {
            int maxOrder = c.between(0, 7);
            long block = 1L << maxOrder;
            FrameRange m = FrameRange.of(c.between(0L, 3 * block), c.between(1L, 4 * block + 5));
            return new BuddyCase(construct(c, m, 2, r -> new BuddyAllocator(m, r, maxOrder, bug)));
        }, s -> s.impl.key(), List.of(
                Rule.of("allocate", (s, step) -> {
                    long block = 1L << s.impl.maxOrder();
                    long count = drawCount(step, block, Math.max(block, s.impl.managedFrames()));
                    step.call("allocate(%d)", count);
                    Outcome<FrameRange> got = step.perform(() -> s.impl.allocate(count));
                    expectBuddy(step, s.impl, s.model, count, 1, got);
                }),
                Rule.of("allocateAligned", (s, step) -> {
                    long block = 1L << s.impl.maxOrder();
                    long count = drawCount(step, block, Math.max(block, s.impl.managedFrames()));
                    long align = step.oneIn(6) ? block << 1 : drawAlign(step);
                    step.call("allocate(%d, align %d)", count, align);
                    Outcome<FrameRange> got = step.perform(() -> s.impl.allocate(count, align));
                    expectBuddy(step, s.impl, s.model, count, align, got);
                }),
                isFreeRule(s -> s.impl.managed(), s -> s.model, s -> s.impl),
                Rule.of("allocateOrder", (s, step) -> {
                    int order = step.between(-1, s.impl.maxOrder() + 1);
                    step.call("allocateOrder(%d)", order);
                    Outcome<FrameRange> got = step.perform(() -> s.impl.allocateOrder(order));
                    if (order < 0 || order > s.impl.maxOrder()) {
                        step.agree("allocateOrder(" + order + ") outcome", got.kind(), FrameError.Kind.IMPOSSIBLE_SIZE.name());
                    } else {
                        expectBuddy(step, s.impl, s.model, 1L << order, 1, got);
                    }
                }),
                Rule.of("freeBlock", (s, step) -> {
                    int order = step.between(-1, s.impl.maxOrder() + 1);
                    List<Long> starts = new ArrayList<>(s.model.live().keySet());
                    long start = !starts.isEmpty() && step.bool() ? step.pick(starts)
                            : s.impl.managed().start().number() + step.between(0L, s.impl.managed().count());
                    step.call("freeBlock(frame#%d, %d)", start, order);
                    Outcome<Void> got = step.performVoid(() -> s.impl.freeBlock(PhysFrame.of(start), order));
                    String want;
                    long base = s.impl.base().number();
                    if (order < 0 || order > s.impl.maxOrder()) {
                        want = FrameError.Kind.IMPOSSIBLE_SIZE.name();
                    } else if (((start - base) & ((1L << order) - 1)) != 0) {
                        want = FrameError.Kind.MISALIGNED.name();
                    } else if (!s.impl.managed().contains(FrameRange.of(start, 1L << order))) {
                        want = FrameError.Kind.OUT_OF_RANGE.name();
                    } else {
                        want = FrameOracle.freeKind(s.impl.managed(), s.impl.reserved(), s.model, FrameRange.of(start, 1L << order));
                    }
                    step.agree("freeBlock outcome", got.kind(), want);
                    if (got.isOk()) {
                        s.model.free(FrameRange.of(start, 1L << order));
                    }
                    step.agree("freeFrames", s.impl.freeFrames(), s.model.freeFrames());
                }),
                freeLiveRule(s -> s.model, s -> s.impl),
                badFreeRule(s -> s.impl.managed(), s -> s.impl.reserved(), s -> s.model, s -> s.impl)));
    }

    /** The buddy's allocation contract against the model: served iff an aligned 2^k window is free. */
    static void expectBuddy(Step<?> step, BuddyAllocator impl, ReferenceFrameAllocator model, long count, long align,
            Outcome<FrameRange> got) {
        String what = "allocate(" + count + ", align " + align + ")";
        if (count < 1) {
            step.agree(what + " outcome", got.kind(), FrameError.Kind.ZERO_SIZE.name());
        } else if (!isPowerOfTwo(align)) {
            step.agree(what + " outcome", got.kind(), FrameError.Kind.MISALIGNED.name());
        } else if (count > (1L << impl.maxOrder()) || count > impl.managedFrames() || align > (1L << impl.maxOrder())) {
            step.agree(what + " outcome", got.kind(), FrameError.Kind.IMPOSSIBLE_SIZE.name());
        } else {
            long window = Math.max(1L << BuddyAllocator.orderFor(count), align);
            boolean possible = model.hasRun(window, window);
            step.agree(what + " outcome", got.kind(), possible ? "ok" : FrameError.Kind.OUT_OF_MEMORY.name());
            if (got.isOk()) {
                FrameRange r = got.value();
                step.agree(what + " length", r.count(), count);
                step.agree(what + " alignment to " + window, r.start().number() % window, 0L);
                step.check(model.isFree(r.start().number(), count), "%s returned %s, which the model does not hold free", what, r);
                model.take(r);
            }
        }
        step.agree("freeFrames", impl.freeFrames(), model.freeFrames());
    }

    // ---------------------------------------------------------------- hybrid

    /** A hybrid allocator and its model: one reference allocator per half. */
    public static final class HybridCase {
        final HybridAllocator impl;
        final ReferenceFrameAllocator bitmapModel;
        final ReferenceFrameAllocator buddyModel;

        HybridCase(HybridAllocator impl) {
            this.impl = impl;
            this.bitmapModel = impl.bitmap().map(b -> FrameOracle.reference(b.managed(), b.reserved())).orElse(null);
            this.buddyModel = impl.buddy().map(b -> FrameOracle.reference(b.managed(), b.reserved())).orElse(null);
        }

        public HybridAllocator impl() {
            return impl;
        }

        ReferenceFrameAllocator modelOf(long frame) {
            return frame < impl.split().number() ? bitmapModel : buddyModel;
        }

        @Override
        public String toString() {
            return impl.toString();
        }
    }

    /**
     * Hybrid at two scales: small (threshold 1..8 over up to 64 frames, any split, so both halves
     * fill up and fallbacks happen) and the seed's (threshold 512 over 1024..3000 frames, built
     * with the public two-argument constructor).
     */
    public static StateMachine<HybridCase> hybrid() {
        return hybrid(HybridAllocator.Bug.NONE);
    }

    static StateMachine<HybridCase> hybrid(HybridAllocator.Bug bug) {
        return new Machine<>("frames/hybrid", lift(FrameInvariants.HYBRID, HybridCase::impl), c -> {
            if (c.oneIn(5)) {
                FrameRange m = FrameRange.of(c.between(0L, 600L), c.between(1024L, 3000L));
                return new HybridCase(construct(c, m, 3, reserved -> bug == HybridAllocator.Bug.NONE
                        ? new HybridAllocator(m, reserved)
                        : new HybridAllocator(m, reserved, HybridAllocator.DEFAULT_THRESHOLD,
                                HybridAllocator.defaultSplit(m, HybridAllocator.DEFAULT_THRESHOLD), BuddyAllocator.GIB_ORDER, bug)));
            }
            FrameRange m = FrameRange.of(c.between(0L, 20L), c.between(4L, 64L));
            long threshold = c.between(1L, 8L);
            PhysFrame split = c.bool() ? HybridAllocator.defaultSplit(m, threshold)
                    : PhysFrame.of(m.start().number() + c.between(0L, m.count()));
            int maxOrder = c.between(2, 5);
            return new HybridCase(construct(c, m, 2, r -> new HybridAllocator(m, r, threshold, split, maxOrder, bug)));
        }, s -> s.impl.key(), List.of(
                Rule.of("allocate", (s, step) -> {
                    HybridAllocator h = s.impl;
                    long t = h.threshold();
                    long count = switch (step.between(0, 4)) {
                        case 0 -> step.between(1L, Math.max(1, t - 1));
                        case 1 -> step.between(Math.max(0, t - 1), t + 1);
                        case 2 -> step.between(1L, h.managedFrames() + 1);
                        case 3 -> step.between(1L, 4L);
                        default -> step.oneIn(3) ? 0 : step.between(1L, 2L);
                    };
                    step.call("allocate(%d)", count);
                    Outcome<FrameRange> got = step.perform(() -> h.allocate(count));
                    expectHybrid(step, s, count, 1, got);
                }),
                Rule.of("allocateOrder", (s, step) -> {
                    // The seed's order request, as zones and NUMA nodes make it: 2^order frames, naturally aligned.
                    HybridAllocator h = s.impl;
                    int maxOrder = h.buddy().map(BuddyAllocator::maxOrder).orElse(3);
                    int order = step.between(0, maxOrder + 1);
                    long count = 1L << order;
                    long align = step.oneIn(8) ? drawAlign(step) : count;
                    step.call("allocate(%d, align %d)", count, align);
                    Outcome<FrameRange> got = step.perform(() -> h.allocate(count, align));
                    expectHybrid(step, s, count, align, got);
                }),
                Rule.of("isFree", (s, step) -> {
                    long f = s.impl.managed().start().number() - 1 + step.between(0L, s.impl.managed().count() + 1);
                    ReferenceFrameAllocator m = f < s.impl.managed().start().number() || f >= s.impl.managed().endNumber() ? null
                            : s.modelOf(f);
                    step.call("isFree(frame#%d)", f);
                    step.agree("isFree(frame#" + f + ")", f >= 0 && s.impl.isFree(PhysFrame.of(f)), m != null && m.isFree(PhysFrame.of(f)));
                }),
                Rule.when("free", s -> liveCount(s) > 0, (s, step) -> {
                    List<FrameRange> live = new ArrayList<>();
                    for (ReferenceFrameAllocator m : new ReferenceFrameAllocator[] {s.bitmapModel, s.buddyModel}) {
                        if (m != null) {
                            m.live().forEach((a, n) -> live.add(FrameRange.of(a, n)));
                        }
                    }
                    FrameRange run = step.pick(live);
                    step.call("free(%s)", run);
                    Outcome<Void> got = step.performVoid(() -> s.impl.free(run));
                    step.agree("free(" + run + ") outcome", got.kind(), "ok");
                    s.modelOf(run.start().number()).free(run);
                }),
                Rule.of("badFree", (s, step) -> {
                    ReferenceFrameAllocator m = s.modelOf(s.impl.managed().start().number() + step.choices().below(s.impl.managed().count()));
                    if (m == null) {
                        m = s.bitmapModel == null ? s.buddyModel : s.bitmapModel;
                    }
                    FrameRange run = FrameOracle.drawBadFree(step.choices(), s.impl.managed(), s.impl.reserved(), m);
                    String want = hybridFreeKind(s, run);
                    step.call("free(%s)", run);
                    Outcome<Void> got = step.performVoid(() -> s.impl.free(run));
                    step.agree("free(" + run + ") outcome", got.kind(), want);
                    if (got.isOk()) {
                        s.modelOf(run.start().number()).free(run);
                    }
                })));
    }

    private static long liveCount(HybridCase s) {
        return (s.bitmapModel == null ? 0 : s.bitmapModel.live().size()) + (s.buddyModel == null ? 0 : s.buddyModel.live().size());
    }

    /** The hybrid's free contract: the frame-level order of checks, with runs across the split never live. */
    static String hybridFreeKind(HybridCase s, FrameRange run) {
        HybridAllocator h = s.impl;
        if (!h.managed().contains(run)) {
            return FrameError.Kind.OUT_OF_RANGE.name();
        }
        for (ReservedRegion r : h.reserved()) {
            if (r.overlaps(run)) {
                return FrameError.Kind.RESERVED.name();
            }
        }
        ReferenceFrameAllocator m = s.modelOf(run.start().number());
        if (m.isFree(run.start())) {
            return FrameError.Kind.DOUBLE_FREE.name();
        }
        Long len = m.live().get(run.start().number());
        return len != null && len == run.count() ? "ok" : FrameError.Kind.NOT_ALLOCATED.name();
    }

    /** The hybrid's allocation contract, restated over the two per-half models. */
    static void expectHybrid(Step<?> step, HybridCase s, long count, long align, Outcome<FrameRange> got) {
        HybridAllocator h = s.impl;
        String what = "allocate(" + count + ", align " + align + ")";
        if (count < 1) {
            step.agree(what + " outcome", got.kind(), FrameError.Kind.ZERO_SIZE.name());
            return;
        }
        if (!isPowerOfTwo(align)) {
            step.agree(what + " outcome", got.kind(), FrameError.Kind.MISALIGNED.name());
            return;
        }
        boolean small = count < h.threshold();
        boolean bitmapCould = small && s.bitmapModel != null && count <= s.bitmapModel.managedFrames();
        boolean buddyCould = s.buddyModel != null && count <= (1L << h.buddy().get().maxOrder()) && count <= s.buddyModel.managedFrames()
                && align <= (1L << h.buddy().get().maxOrder());
        long window = Math.max(1L << BuddyAllocator.orderFor(count), align);
        String want;
        FrameRange wantRun = null;
        if (!bitmapCould && !buddyCould) {
            want = FrameError.Kind.IMPOSSIBLE_SIZE.name();
        } else if (bitmapCould && s.bitmapModel.hasRun(count, align)) {
            want = "ok";
            wantRun = s.bitmapModel.allocateAligned(count, align);
        } else if (buddyCould && s.buddyModel.hasRun(window, window)) {
            want = "ok";
        } else {
            want = FrameError.Kind.OUT_OF_MEMORY.name();
        }
        step.agree(what + " outcome", got.kind(), want);
        if (got.isOk()) {
            FrameRange r = got.value();
            if (wantRun != null) {
                step.agree(what + " run (bitmap aligned first fit)", r, wantRun);
            } else {
                step.check(h.buddyRange().get().contains(r), "%s = %s should come from the buddy half %s", what, r, h.buddyRange().get());
                step.agree(what + " length", r.count(), count);
                step.agree(what + " alignment to " + window, r.start().number() % window, 0L);
                step.check(s.buddyModel.isFree(r.start().number(), count), "%s returned %s, which the model does not hold free", what, r);
                s.buddyModel.take(r);
            }
        }
        step.agree("freeFrames", h.freeFrames(),
                (s.bitmapModel == null ? 0 : s.bitmapModel.freeFrames()) + (s.buddyModel == null ? 0 : s.buddyModel.freeFrames()));
    }

    // ---------------------------------------------------------------- shared

    /** A request size: zero, small, up to {@code typical}, or past {@code limit}. */
    static long drawCount(Step<?> step, long typical, long limit) {
        return switch (step.between(0, 5)) {
            case 0 -> 0;
            case 1 -> limit + step.between(1L, 2L);
            case 2 -> step.between(1L, Math.max(1, typical));
            default -> step.between(1L, Math.min(4L, Math.max(1, typical)));
        };
    }

    /** An alignment: usually 1, often 2..8, sometimes 3 or 0 (not a power of two: MISALIGNED). */
    static long drawAlign(Step<?> step) {
        return switch (step.between(0, 5)) {
            case 0, 1 -> 1;
            case 2 -> 2;
            case 3 -> 4;
            case 4 -> 8;
            default -> step.oneIn(2) ? 3 : 0;
        };
    }

    static boolean isPowerOfTwo(long x) {
        return x > 0 && (x & (x - 1)) == 0;
    }

    /** isFree(frame) agrees with the model, for frames of managed memory and one on either side. */
    private static <S> Rule<S> isFreeRule(java.util.function.Function<S, FrameRange> managed,
            java.util.function.Function<S, ReferenceFrameAllocator> model, java.util.function.Function<S, FrameAllocator> impl) {
        return Rule.of("isFree", (s, step) -> {
            FrameRange m = managed.apply(s);
            long f = m.start().number() - 1 + step.between(0L, m.count() + 1);
            step.call("isFree(frame#%d)", f);
            boolean want = f >= 0 && model.apply(s).isFree(PhysFrame.of(f));
            step.agree("isFree(frame#" + f + ")", f >= 0 && impl.apply(s).isFree(PhysFrame.of(f)), want);
        });
    }

    private static <S> Rule<S> freeLiveRule(java.util.function.Function<S, ReferenceFrameAllocator> model,
            java.util.function.Function<S, FrameAllocator> impl) {
        return Rule.when("free", s -> !model.apply(s).live().isEmpty(), (s, step) -> {
            List<Long> starts = new ArrayList<>(model.apply(s).live().keySet());
            long start = step.pick(starts);
            FrameRange run = FrameRange.of(start, model.apply(s).live().get(start));
            step.call("free(%s)", run);
            Outcome<Void> got = step.performVoid(() -> impl.apply(s).free(run));
            step.agree("free(" + run + ") outcome", got.kind(), "ok");
            model.apply(s).free(run);
            step.agree("freeFrames", impl.apply(s).freeFrames(), model.apply(s).freeFrames());
        });
    }

    private static <S> Rule<S> badFreeRule(java.util.function.Function<S, FrameRange> managed,
            java.util.function.Function<S, List<ReservedRegion>> reserved, java.util.function.Function<S, ReferenceFrameAllocator> model,
            java.util.function.Function<S, FrameAllocator> impl) {
        return Rule.of("badFree", (s, step) -> {
            FrameRange run = FrameOracle.drawBadFree(step.choices(), managed.apply(s), reserved.apply(s), model.apply(s));
            String want = FrameOracle.freeKind(managed.apply(s), reserved.apply(s), model.apply(s), run);
            step.call("free(%s)", run);
            Outcome<Void> got = step.performVoid(() -> impl.apply(s).free(run));
            step.agree("free(" + run + ") outcome", got.kind(), want);
            if (got.isOk()) {
                model.apply(s).free(run);
            }
            step.agree("freeFrames", impl.apply(s).freeFrames(), model.apply(s).freeFrames());
        });
    }

    /** The invariants of a component, restated over a state that holds it (IDs and statements unchanged). */
    static <S, T> InvariantSet<S> lift(InvariantSet<T> set, java.util.function.Function<S, T> get) {
        List<org.mmspec.check.Invariant<S>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<T> inv : set.invariants()) {
            out.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(),
                    s -> inv.evaluate(get.apply(s)).map(org.mmspec.check.Violation::detail)));
        }
        return InvariantSet.of(set.component(), out, s -> set.describe(get.apply(s)));
    }

    /**
     * Builds the allocator of a run, first offering bad input at a useful rate (one run in four):
     * reserved regions that break a drawn {@link FrameOracle.ReservedRule}. The constructor must
     * refuse them with BAD_REGION, before anything exists (so there is nothing for ATOMIC-1 to
     * compare); any other outcome of a refusal fails the run. If it accepts them (the rule switched
     * off), that allocator becomes the run's state and RESERVED-1 fails at the first check.
     */
    static <A> A construct(Choices c, FrameRange m, int maxReserved, java.util.function.Function<List<ReservedRegion>, A> make) {
        if (c.oneIn(4)) {
            FrameOracle.ReservedRule rule = c.pick(FrameOracle.ReservedRule.class);
            List<ReservedRegion> bad = FrameOracle.drawBadReserved(c, m, rule);
            try {
                return make.apply(bad);
            } catch (FrameError e) {
                if (e.errorKind() != FrameError.Kind.BAD_REGION) {
                    throw new AssertionError("reserved regions " + bad + " (" + rule + ") in " + m + " refused with "
                            + e.errorKind() + ", not BAD_REGION", e);
                }
            }
        }
        return make.apply(FrameOracle.drawReserved(c, m, maxReserved));
    }

    /** A state machine assembled from its parts. */
    private record Machine<S>(String name, InvariantSet<S> invariants, java.util.function.Function<Choices, S> builder,
            java.util.function.Function<S, Object> snapshotFn, List<Rule<S>> rules) implements StateMachine<S> {
        @Override
        public S init(Choices choices) {
            return builder.apply(choices);
        }

        @Override
        public Object snapshot(S state) {
            return snapshotFn.apply(state);
        }
    }
}
