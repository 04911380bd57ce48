package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.Encoding;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;

/**
 * The exhaustive models of {@code models/}: every sequence of allocations and frees (good and
 * bad) of a small allocator, breadth first, with every invariant checked in every reachable
 * state and ATOMIC-1 checked for every rejected action.
 *
 * <p>Bounds (all optional but {@code frames}): {@code start} (first managed frame; an unaligned
 * start exercises buddies found from the aligned base), {@code frames}, {@code maxOrder},
 * {@code reserved} ({@code a-b} frames {@code [a, b)}, several joined with {@code +}),
 * {@code counts} (request sizes, joined with {@code +}), {@code orders} (bitmap and hybrid: orders
 * {@code k}, joined with {@code +}, for which every state also enables the order request
 * {@code allocate(2^k, 2^k)}, whose result must be aligned to {@code 2^k}, plus the bad alignment
 * {@code allocate(2, 3)}; none by default), {@code threshold} and {@code split} (hybrid), and
 * {@code bug} (a seeded bug that the model must catch).
 */
public final class FrameModels {
    private FrameModels() {
    }

    /** {@code models/buddy-32}: the buddy allocator, by default 32 frames, orders 0..3. */
    public static ExhaustiveModel buddy() {
        return model("buddy-32", FrameModels::buddySystem);
    }

    /** {@code models/bitmap-16}: the bitmap allocator, by default 16 frames, runs of 1..3. */
    public static ExhaustiveModel bitmap() {
        return model("bitmap-16", FrameModels::bitmapSystem);
    }

    /** {@code models/hybrid-16}: the hybrid, by default 16 frames, threshold 4, split at 8, buddy orders 0..3. */
    public static ExhaustiveModel hybrid() {
        return model("hybrid-16", FrameModels::hybridSystem);
    }

    public static List<ExhaustiveModel> all() {
        return List.of(buddy(), bitmap(), hybrid());
    }

    private static ExhaustiveModel model(String name, java.util.function.Function<Bounds, TransitionSystem<?>> build) {
        return new ExhaustiveModel() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String component() {
                return "frames";
            }

            @Override
            public TransitionSystem<?> build(Bounds bounds) {
                return build.apply(bounds);
            }
        };
    }

    static FrameRange managed(Bounds b) {
        return FrameRange.of(b.getInt("start", 0), b.getInt("frames"));
    }

    static List<ReservedRegion> reserved(Bounds b) {
        List<ReservedRegion> out = new ArrayList<>();
        String spec = b.get("reserved", "");
        if (!spec.isBlank()) {
            for (String part : spec.split("\\+")) {
                String[] ab = part.split("-");
                long from = Long.parseLong(ab[0].trim());
                long to = Long.parseLong(ab[1].trim());
                out.add(ReservedRegion.of(from, to - from, "reserved " + part));
            }
        }
        return out;
    }

    static List<Long> counts(Bounds b, String fallback) {
        List<Long> out = new ArrayList<>();
        for (String part : b.get("counts", fallback).split("\\+")) {
            out.add(Long.parseLong(part.trim()));
        }
        return out;
    }

    static List<Integer> orders(Bounds b) {
        List<Integer> out = new ArrayList<>();
        String spec = b.get("orders", "");
        if (!spec.isBlank()) {
            for (String part : spec.split("\\+")) {
                out.add(Integer.parseInt(part.trim()));
            }
        }
        return out;
    }

    /**
     * The order requests {@code allocate(2^k, 2^k)}, each checking its postcondition (a block
     * aligned to its size: an unaligned result fails the exploration as an action failure), and
     * one request with an alignment that is not a power of two (MISALIGNED, checked to change
     * nothing).
     */
    static <S extends FrameAllocator> void orderRequests(List<Action<S>> out, List<Integer> orders) {
        for (int k : orders) {
            long n = 1L << k;
            out.add(new Action<>("allocate(" + n + ", align " + n + ")", a -> {
                FrameRange r = a.allocate(n, n);
                if (r.count() != n || r.start().number() % n != 0) {
                    throw new IllegalStateException("order " + k + " request returned " + r + ", not a block aligned to " + n);
                }
            }));
        }
        if (!orders.isEmpty()) {
            out.add(new Action<>("allocate(2, align 3) misaligned", a -> a.allocate(2, 3)));
        }
    }

    // ---------------------------------------------------------------- buddy

    static TransitionSystem<BuddyAllocator> buddySystem(Bounds b) {
        FrameRange m = managed(b);
        List<ReservedRegion> reserved = reserved(b);
        int maxOrder = b.getInt("maxOrder", 3);
        BuddyAllocator.Bug bug = BuddyAllocator.Bug.valueOf(b.get("bug", "NONE"));
        List<Long> counts = counts(b, "0+3");
        String name = "buddy " + m + " orders 0.." + maxOrder + (reserved.isEmpty() ? "" : " reserved " + reserved)
                + (bug == BuddyAllocator.Bug.NONE ? "" : " bug " + bug);
        return ActionSystem.of(name, () -> List.of(new BuddyAllocator(m, reserved, maxOrder, bug)), BuddyAllocator::copy,
                BuddyAllocator::key, s -> buddyActions(s, counts), FrameInvariants.BUDDY)
                .withCodec(Encoding.overwriting(() -> new BuddyAllocator(m, reserved, maxOrder, bug), BuddyAllocator::copy,
                        BuddyAllocator::writeState, BuddyAllocator::readState));
    }

    /** Every allocation order (and one past each end), the extra request sizes, every free, and bad frees. */
    static List<Action<BuddyAllocator>> buddyActions(BuddyAllocator s, List<Long> counts) {
        List<Action<BuddyAllocator>> out = new ArrayList<>();
        for (int k = -1; k <= s.maxOrder() + 1; k++) {
            int order = k;
            out.add(new Action<>("allocateOrder(" + order + ")", a -> a.allocateOrder(order)));
        }
        for (long n : counts) {
            out.add(new Action<>("allocate(" + n + ")", a -> a.allocate(n)));
        }
        for (Map.Entry<Long, Long> e : s.live().entrySet()) {
            FrameRange run = FrameRange.of(e.getKey(), e.getValue());
            out.add(new Action<>("free(" + run + ")", a -> a.free(run)));
            if (run.count() > 1) {
                FrameRange part = FrameRange.of(run.start().number(), run.count() - 1);
                out.add(new Action<>("free(" + part + ") partial", a -> a.free(part)));
                out.add(new Action<>("freeBlock(frame#" + (run.start().number() + 1) + ", 1) misaligned",
                        a -> a.freeBlock(run.start().plus(1), 1)));
            }
        }
        badFrees(out, s.managed(), s.reserved(), s.freeRuns());
        return out;
    }

    /** Double frees of each free run's first frame, a free of each reserved region, and a free past the end. */
    static <S> void badFrees(List<Action<S>> out, FrameRange m, List<ReservedRegion> reserved, List<FrameRange> freeRuns) {
        for (FrameRange f : freeRuns) {
            FrameRange one = FrameRange.of(f.start().number(), 1);
            out.add(new Action<>("free(" + one + ") double", a -> free(a, one)));
        }
        for (ReservedRegion r : reserved) {
            FrameRange one = FrameRange.of(r.start().number(), 1);
            out.add(new Action<>("free(" + one + ") reserved", a -> free(a, one)));
        }
        FrameRange past = FrameRange.of(m.endNumber() - 1, 2);
        out.add(new Action<>("free(" + past + ") out of range", a -> free(a, past)));
    }

    private static void free(Object allocator, FrameRange run) {
        ((FrameAllocator) allocator).free(run);
    }

    // ---------------------------------------------------------------- bitmap

    static TransitionSystem<BitmapAllocator> bitmapSystem(Bounds b) {
        FrameRange m = managed(b);
        List<ReservedRegion> reserved = reserved(b);
        BitmapAllocator.Bug bug = BitmapAllocator.Bug.valueOf(b.get("bug", "NONE"));
        List<Long> counts = counts(b, "0+1+2+3");
        List<Integer> orders = orders(b);
        String name = "bitmap " + m + (reserved.isEmpty() ? "" : " reserved " + reserved) + (bug == BitmapAllocator.Bug.NONE ? "" : " bug " + bug);
        return ActionSystem.of(name, () -> List.of(new BitmapAllocator(m, reserved, bug)), BitmapAllocator::copy, BitmapAllocator::key,
                s -> bitmapActions(s, counts, orders), FrameInvariants.BITMAP)
                .withCodec(Encoding.overwriting(() -> new BitmapAllocator(m, reserved, bug), BitmapAllocator::copy,
                        BitmapAllocator::writeState, BitmapAllocator::readState));
    }

    static List<Action<BitmapAllocator>> bitmapActions(BitmapAllocator s, List<Long> counts) {
        return bitmapActions(s, counts, List.of());
    }

    static List<Action<BitmapAllocator>> bitmapActions(BitmapAllocator s, List<Long> counts, List<Integer> orders) {
        List<Action<BitmapAllocator>> out = new ArrayList<>();
        for (long n : counts) {
            out.add(new Action<>("allocate(" + n + ")", a -> a.allocate(n)));
        }
        orderRequests(out, orders);
        long tooBig = s.managedFrames() + 1;
        out.add(new Action<>("allocate(" + tooBig + ")", a -> a.allocate(tooBig)));
        for (FrameRange run : s.liveRuns()) {
            out.add(new Action<>("free(" + run + ")", a -> a.free(run)));
            if (run.count() > 1) {
                FrameRange part = FrameRange.of(run.start().number() + 1, run.count() - 1);
                out.add(new Action<>("free(" + part + ") tail only", a -> a.free(part)));
            }
            FrameRange longer = FrameRange.of(run.start().number(), run.count() + 1);
            if (s.managed().contains(longer)) {
                out.add(new Action<>("free(" + longer + ") overlong", a -> a.free(longer)));
            }
        }
        badFrees(out, s.managed(), s.reserved(), s.freeRuns());
        return out;
    }

    // ---------------------------------------------------------------- hybrid

    static TransitionSystem<HybridAllocator> hybridSystem(Bounds b) {
        FrameRange m = managed(b);
        List<ReservedRegion> reserved = reserved(b);
        long threshold = b.getInt("threshold", 4);
        PhysFrame split = PhysFrame.of(b.getInt("split", (int) HybridAllocator.defaultSplit(m, threshold).number()));
        int maxOrder = b.getInt("maxOrder", 3);
        HybridAllocator.Bug bug = HybridAllocator.Bug.valueOf(b.get("bug", "NONE"));
        List<Long> counts = counts(b, "0+1+2+3+4+5+8+9");
        List<Integer> orders = orders(b);
        String name = "hybrid " + m + " threshold " + threshold + " split " + split + (bug == HybridAllocator.Bug.NONE ? "" : " bug " + bug);
        return ActionSystem.of(name, () -> List.of(new HybridAllocator(m, reserved, threshold, split, maxOrder, bug)), HybridAllocator::copy,
                HybridAllocator::key, s -> hybridActions(s, counts, orders), FrameInvariants.HYBRID)
                .withCodec(Encoding.overwriting(() -> new HybridAllocator(m, reserved, threshold, split, maxOrder, bug),
                        HybridAllocator::copy, HybridAllocator::writeState, HybridAllocator::readState));
    }

    static List<Action<HybridAllocator>> hybridActions(HybridAllocator s, List<Long> counts) {
        return hybridActions(s, counts, List.of());
    }

    static List<Action<HybridAllocator>> hybridActions(HybridAllocator s, List<Long> counts, List<Integer> orders) {
        List<Action<HybridAllocator>> out = new ArrayList<>();
        for (long n : counts) {
            out.add(new Action<>("allocate(" + n + ")", a -> a.allocate(n)));
        }
        orderRequests(out, orders);
        for (FrameRange run : s.liveRuns()) {
            out.add(new Action<>("free(" + run + ")", a -> a.free(run)));
            if (run.count() > 1) {
                FrameRange part = FrameRange.of(run.start().number(), run.count() - 1);
                out.add(new Action<>("free(" + part + ") partial", a -> a.free(part)));
            }
        }
        long split = s.split().number();
        if (split > s.managed().start().number() && split < s.managed().endNumber()) {
            FrameRange across = FrameRange.of(split - 1, 2);
            out.add(new Action<>("free(" + across + ") across the split", a -> a.free(across)));
        }
        badFrees(out, s.managed(), s.reserved(), s.freeRuns());
        return out;
    }
}
