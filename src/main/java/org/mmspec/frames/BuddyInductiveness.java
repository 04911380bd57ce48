package org.mmspec.frames;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.InductivenessCheck;
import org.mmspec.check.TransitionSystem;

/**
 * The bounded inductiveness check that discharges the inductive step of
 * {@code proofs/buddy-coalescing.md}: every buddy state of a small scope, reachable or not, that
 * satisfies the buddy invariants ({@link FrameInvariants#BUDDY}) is taken through every
 * operation (every order, a non-power-of-two exact request, every free, and the bad inputs of
 * {@link FrameModels#buddyActions}), and every successor must satisfy them again.
 *
 * <p>The scope enumerates every <em>tiling</em> of the region's non-reserved frames by segments,
 * left to right, where a segment is a free block of some order {@code k <= maxOrder} aligned to
 * {@code 2^k} from the base, or a live allocation of {@code 1..2^maxOrder} frames (any start, in
 * {@link Runs#ANY} mode) or of one aligned power-of-two block (in {@link Runs#BLOCKS} mode).
 * Every state satisfying the invariants is such a tiling: FRAME-1, FRAME-2, BUDDY-2 and
 * RESERVED-2 make the free blocks, live allocations and reserved frames partition the region,
 * and BUDDY-4 bounds a live allocation by {@code 2^maxOrder}. So in {@code ANY} mode the scope
 * covers every invariant-satisfying state of the region; tilings that break BUDDY-1, -3 or -4
 * are enumerated too and skipped by the check, as induction says nothing about them.
 */
public final class BuddyInductiveness {
    private BuddyInductiveness() {
    }

    /** Which live allocations the scope enumerates. */
    public enum Runs {
        /** Any length {@code 1..2^maxOrder} at any start: every invariant-satisfying state. */
        ANY,
        /** Only aligned power-of-two blocks: a smaller scope over a larger region. */
        BLOCKS
    }

    /**
     * One scope.
     *
     * @param region the buddy's managed region
     * @param reserved reserved regions inside it
     * @param maxOrder the largest order
     * @param runs which live allocations to enumerate
     */
    public record Scope(FrameRange region, List<ReservedRegion> reserved, int maxOrder, Runs runs) {
        @Override
        public String toString() {
            return "buddy " + region + " orders 0.." + maxOrder + (reserved.isEmpty() ? "" : " reserved " + reserved) + " live " + runs;
        }
    }

    /** The scopes the test suite and {@code mmspec check} run: aligned, unaligned, and with a reserved hole. */
    public static List<Scope> defaultScopes() {
        return List.of(
                new Scope(FrameRange.of(0, 12), List.of(), 3, Runs.ANY),
                new Scope(FrameRange.of(3, 11), List.of(), 3, Runs.ANY),
                new Scope(FrameRange.of(0, 12), List.of(ReservedRegion.of(5, 1, "hole")), 3, Runs.ANY));
    }

    /**
     * Larger scopes, run when {@code mmspec.scale > 1}: 16 frames with power-of-two live blocks
     * (2,090,916 tilings) and 16 frames with any live runs (9,248,581 tilings).
     */
    public static List<Scope> heavyScopes() {
        return List.of(
                new Scope(FrameRange.of(0, 16), List.of(), 3, Runs.BLOCKS),
                new Scope(FrameRange.of(0, 16), List.of(), 3, Runs.ANY));
    }

    /** The default scopes, plus the heavy ones when {@code mmspec.scale > 1}. */
    public static List<Scope> scopes() {
        List<Scope> out = new ArrayList<>(defaultScopes());
        if (org.mmspec.check.CheckSettings.scale() > 1) {
            out.addAll(heavyScopes());
        }
        return out;
    }

    /** The transition system: the actions of {@code models/buddy-32} with a 3-frame exact request. */
    public static TransitionSystem<BuddyAllocator> system(Scope scope) {
        return ActionSystem.of(scope.toString(), () -> List.of(new BuddyAllocator(scope.region(), scope.reserved(), scope.maxOrder())),
                BuddyAllocator::copy, BuddyAllocator::key, s -> FrameModels.buddyActions(s, List.of(0L, 3L)), FrameInvariants.BUDDY);
    }

    /** Runs the check over one scope. */
    public static InductivenessCheck.Result check(Scope scope) {
        return InductivenessCheck.check("BuddyInductiveness " + scope, states(scope), system(scope));
    }

    /** Every tiling of the scope, as buddy states built with {@link BuddyAllocator#fromState}. */
    public static Iterable<BuddyAllocator> states(Scope scope) {
        return states(scope, BuddyAllocator.Bug.NONE);
    }

    /** The tilings as states of an allocator with a seeded bug, to show the check can fail. */
    static Iterable<BuddyAllocator> states(Scope scope, BuddyAllocator.Bug bug) {
        return () -> new Tilings(scope, bug);
    }

    /** Depth-first enumeration of tilings with an explicit stack, so no scope is held in memory. */
    private static final class Tilings implements Iterator<BuddyAllocator> {
        /** One level of the search: a frame position, the segments that may start there, the one chosen. */
        private static final class Level {
            final long pos;
            final List<long[]> options; // {start, length, order, or -1 for a live allocation}
            int choice = -1;

            Level(long pos, List<long[]> options) {
                this.pos = pos;
                this.options = options;
            }
        }

        private final Scope scope;
        private final BuddyAllocator.Bug bug;
        private final long base;
        private final long end;
        private final List<Level> stack = new ArrayList<>();
        private BuddyAllocator next;
        private boolean started;

        Tilings(Scope scope, BuddyAllocator.Bug bug) {
            this.scope = scope;
            this.bug = bug;
            this.base = scope.region().start().number() & -(1L << scope.maxOrder());
            this.end = scope.region().endNumber();
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public BuddyAllocator next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            BuddyAllocator out = next;
            next = null;
            return out;
        }

        private BuddyAllocator advance() {
            if (!started) {
                started = true;
                push(skipReserved(scope.region().start().number()));
            } else {
                if (stack.isEmpty()) {
                    return null; // exhausted; hasNext() may be asked again after it said false
                }
                stack.remove(stack.size() - 1); // the terminal level of the tiling just emitted
                if (stack.isEmpty()) {
                    return null;
                }
            }
            while (true) {
                Level top = stack.get(stack.size() - 1);
                if (top.pos >= end) {
                    return build();
                }
                top.choice++;
                if (top.choice >= top.options.size()) {
                    stack.remove(stack.size() - 1);
                    if (stack.isEmpty()) {
                        return null;
                    }
                    continue;
                }
                long[] seg = top.options.get(top.choice);
                push(skipReserved(seg[0] + seg[1]));
            }
        }

        private void push(long pos) {
            stack.add(new Level(pos, pos >= end ? List.of() : optionsAt(pos)));
        }

        private List<long[]> optionsAt(long p) {
            List<long[]> out = new ArrayList<>();
            for (int k = 0; k <= scope.maxOrder(); k++) {
                long size = 1L << k;
                if (((p - base) & (size - 1)) == 0 && clear(p, size)) {
                    out.add(new long[] {p, size, k});
                }
            }
            for (long len = 1; len <= 1L << scope.maxOrder(); len++) {
                boolean block = (len & (len - 1)) == 0 && ((p - base) & (len - 1)) == 0;
                if ((scope.runs() == Runs.ANY || block) && clear(p, len)) {
                    out.add(new long[] {p, len, -1});
                }
            }
            return out;
        }

        private boolean clear(long p, long len) {
            if (p + len > end) {
                return false;
            }
            for (ReservedRegion r : scope.reserved()) {
                if (r.overlaps(FrameRange.of(p, len))) {
                    return false;
                }
            }
            return true;
        }

        private long skipReserved(long p) {
            boolean moved = true;
            while (moved && p < end) {
                moved = false;
                for (ReservedRegion r : scope.reserved()) {
                    if (r.contains(PhysFrame.of(p))) {
                        p = r.end().number();
                        moved = true;
                    }
                }
            }
            return p;
        }

        private BuddyAllocator build() {
            TreeMap<Long, Integer> free = new TreeMap<>();
            TreeMap<Long, Long> live = new TreeMap<>();
            for (int d = 0; d < stack.size() - 1; d++) {
                Level level = stack.get(d);
                long[] s = level.options.get(level.choice);
                if (s[2] >= 0) {
                    free.put(s[0], (int) s[2]);
                } else {
                    live.put(s[0], s[1]);
                }
            }
            return BuddyAllocator.fromState(scope.region(), scope.reserved(), scope.maxOrder(), free, live, bug);
        }
    }
}
