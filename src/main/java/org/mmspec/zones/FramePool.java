package org.mmspec.zones;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;

/**
 * The memory of one zone or one NUMA node: a frame allocator over a span, the holes of the
 * memory map inside that span, and the runs the pool has handed out.
 *
 * <p>Encoding: {@code span} is the smallest frame range covering the pool's usable memory;
 * {@code holes} are the sorted, disjoint sub-ranges of {@code span} that are not usable and are
 * passed to the allocator as reserved. {@code live} maps the first frame of every run handed out
 * to its length. The pool is its allocator's only client, so a frame of {@code span} is exactly
 * one of: in a hole, in a live run, or free. {@code journal} records every successful call made
 * to the allocator, in order; it exists so that {@link #copy()} can rebuild an equal allocator by
 * replaying it (the {@link AllocatorFactory} contract makes allocators deterministic), which is
 * how the exhaustive explorer copies states. When the factory can copy the allocator (the
 * hybrid and the reference allocator can) or restore it from its live runs, no journal is kept.
 *
 * <p>Requests are the seed's order requests: {@link #tryAllocate(long, long)} asks the allocator
 * for {@code 2^order} frames aligned to {@code 2^order} ({@link FrameAllocator#allocate(long, long)}).
 *
 * <p>Invariants ({@link #accountingProblem()} checks them): live runs lie in {@code span}, avoid
 * the holes and are pairwise disjoint; {@code free + live + holes = span}, where {@code free}
 * is what the allocator reports.
 */
public final class FramePool {
    private final FrameRange span;
    private final List<FrameRange> holes;
    private final AllocatorFactory factory;
    private final FrameAllocator allocator;
    private final TreeMap<Long, Long> live = new TreeMap<>();
    private final List<Op> journal = new ArrayList<>();
    /** Whether the factory restores allocators from live runs, so no journal is kept. */
    private final boolean restorable;

    /**
     * A pool over {@code usable}: sorted, disjoint, non-empty ranges; the gaps between them become
     * the holes.
     */
    public FramePool(List<FrameRange> usable, AllocatorFactory factory) {
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("a pool needs usable memory");
        }
        this.factory = Objects.requireNonNull(factory);
        this.span = FrameRange.between(usable.get(0).start(), usable.get(usable.size() - 1).end());
        List<FrameRange> h = new ArrayList<>();
        for (int i = 1; i < usable.size(); i++) {
            long gapStart = usable.get(i - 1).endNumber();
            long gapEnd = usable.get(i).start().number();
            if (gapEnd < gapStart) {
                throw new IllegalArgumentException("usable ranges overlap or are unsorted: " + usable);
            }
            if (gapEnd > gapStart) {
                h.add(FrameRange.of(gapStart, gapEnd - gapStart));
            }
        }
        this.holes = List.copyOf(h);
        this.allocator = factory.create(span, holes);
        this.restorable = factory.copy(allocator).isPresent() || factory.restore(span, holes, List.of()).isPresent();
    }

    private FramePool(FramePool other) {
        this.span = other.span;
        this.holes = other.holes;
        this.factory = other.factory;
        List<FrameRange> liveRuns = new ArrayList<>();
        other.live.forEach((start, count) -> liveRuns.add(FrameRange.of(start, count)));
        Optional<FrameAllocator> restored = factory.copy(other.allocator);
        if (restored.isEmpty()) {
            restored = factory.restore(span, holes, liveRuns);
        }
        if (restored.isPresent()) {
            this.allocator = restored.get();
        } else {
            this.allocator = factory.create(span, holes);
            for (Op op : other.journal) {
                if (op instanceof Alloc a) {
                    FrameRange got = allocator.allocate(a.count(), a.align());
                    if (!got.equals(a.got())) {
                        throw new IllegalStateException("allocator is not deterministic: replay of allocate("
                                + a.count() + ") returned " + got + ", first run returned " + a.got());
                    }
                } else {
                    allocator.free(((Free) op).run());
                }
                journal.add(op);
            }
        }
        live.putAll(other.live);
        this.restorable = other.restorable;
    }

    /** One successful call on the allocator, as the journal records it. */
    private sealed interface Op permits Alloc, Free {
    }

    private record Alloc(long count, long align, FrameRange got) implements Op {
    }

    private record Free(FrameRange run) implements Op {
    }

    /** A deep copy, rebuilt by replaying the journal on a fresh allocator. */
    public FramePool copy() {
        return new FramePool(this);
    }

    /**
     * Writes the live runs (start, length) and the allocator's state, for a state codec; only a
     * pool over a hybrid or reference allocator (which keep no journal) can be written.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(live.size());
        for (java.util.Map.Entry<Long, Long> e : live.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
        if (allocator instanceof org.mmspec.frames.HybridAllocator h) {
            h.writeState(out);
        } else if (allocator instanceof org.mmspec.frames.ReferenceFrameAllocator r) {
            r.writeState(out);
        } else {
            throw new IllegalStateException("a pool over " + allocator.getClass().getSimpleName() + " has no state codec");
        }
    }

    /** Reads what {@link #writeState} wrote over this pool's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        live.clear();
        for (int n = in.readInt(); n > 0; n--) {
            live.put(in.readLong(), in.readLong());
        }
        if (allocator instanceof org.mmspec.frames.HybridAllocator h) {
            h.readState(in);
        } else {
            ((org.mmspec.frames.ReferenceFrameAllocator) allocator).readState(in);
        }
    }

    /** {@link #tryAllocate(long, long)} with any alignment. */
    public Optional<FrameRange> tryAllocate(long count) {
        return tryAllocate(count, FrameAllocator.ANY_ALIGNMENT);
    }

    /**
     * Allocates {@code count} contiguous frames starting at a multiple of {@code alignFrames}, or
     * returns empty if the allocator has no such run (out of memory, or larger than it could ever
     * hold). A failed attempt changes nothing.
     */
    public Optional<FrameRange> tryAllocate(long count, long alignFrames) {
        if (allocator.freeFrames() < count) {
            return Optional.empty(); // no run can exist; spares the allocator a rejection
        }
        FrameRange run;
        try {
            run = allocator.allocate(count, alignFrames);
        } catch (FrameError e) {
            if (e.errorKind() == FrameError.Kind.OUT_OF_MEMORY || e.errorKind() == FrameError.Kind.IMPOSSIBLE_SIZE) {
                return Optional.empty();
            }
            throw e;
        }
        if (!restorable) {
            journal.add(new Alloc(count, alignFrames, run));
        }
        live.put(run.start().number(), run.count());
        return Optional.of(run);
    }

    /**
     * Why {@code run} cannot be freed, or empty if it is exactly a live run. The kinds are
     * checked in this order: outside the span, touching a hole, overlapping a live run without
     * being one, and otherwise every frame is already free.
     */
    public Optional<FrameError.Kind> checkFree(FrameRange run) {
        Long len = live.get(run.start().number());
        if (len != null && len == run.count()) {
            return Optional.empty();
        }
        if (!span.contains(run)) {
            return Optional.of(FrameError.Kind.OUT_OF_RANGE);
        }
        for (FrameRange h : holes) {
            if (h.overlaps(run)) {
                return Optional.of(FrameError.Kind.RESERVED);
            }
        }
        if (overlapsLive(run)) {
            return Optional.of(FrameError.Kind.NOT_ALLOCATED);
        }
        return Optional.of(FrameError.Kind.DOUBLE_FREE);
    }

    private boolean overlapsLive(FrameRange run) {
        Map.Entry<Long, Long> before = live.floorEntry(run.endNumber() - 1);
        return before != null && before.getKey() + before.getValue() > run.start().number();
    }

    /** Frees a live run; the caller has checked it with {@link #checkFree}. */
    public void free(FrameRange run) {
        Optional<FrameError.Kind> bad = checkFree(run);
        if (bad.isPresent()) {
            throw FrameError.of(bad.get(), "free(%s): %s", run, bad.get());
        }
        allocator.free(run);
        if (!restorable) {
            journal.add(new Free(run));
        }
        live.remove(run.start().number());
    }

    public FrameRange span() {
        return span;
    }

    public List<FrameRange> holes() {
        return holes;
    }

    /** Frames in holes of the span. */
    public long holeFrames() {
        return holes.stream().mapToLong(FrameRange::count).sum();
    }

    /** Usable frames: the span minus its holes. */
    public long usableFrames() {
        return span.count() - holeFrames();
    }

    /** The usable ranges: the span with the holes cut out. */
    public List<FrameRange> usable() {
        List<FrameRange> out = new ArrayList<>();
        long at = span.start().number();
        for (FrameRange h : holes) {
            if (h.start().number() > at) {
                out.add(FrameRange.of(at, h.start().number() - at));
            }
            at = h.endNumber();
        }
        if (span.endNumber() > at) {
            out.add(FrameRange.of(at, span.endNumber() - at));
        }
        return out;
    }

    public long freeFrames() {
        return allocator.freeFrames();
    }

    /** Frames in live runs. */
    public long allocatedFrames() {
        return live.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Live runs, first frame to length. */
    public NavigableMap<Long, Long> live() {
        return Collections.unmodifiableNavigableMap(live);
    }

    public boolean isLive(FrameRange run) {
        Long len = live.get(run.start().number());
        return len != null && len == run.count();
    }

    /**
     * The underlying allocator, for inspection. Calling it directly bypasses the pool's record of
     * live runs, which ZONE-6 and NUMA-6 then report (the negative tests do exactly that).
     */
    public FrameAllocator allocator() {
        return allocator;
    }

    /** Checks the pool's own invariants; empty when they hold. */
    public Optional<String> accountingProblem() {
        long prevEnd = -1;
        for (Map.Entry<Long, Long> e : live.entrySet()) {
            FrameRange r = FrameRange.of(e.getKey(), e.getValue());
            if (!span.contains(r)) {
                return Optional.of("live run " + r + " outside span " + span);
            }
            for (FrameRange h : holes) {
                if (h.overlaps(r)) {
                    return Optional.of("live run " + r + " overlaps hole " + h);
                }
            }
            if (e.getKey() < prevEnd) {
                return Optional.of("live run " + r + " overlaps the run before it");
            }
            prevEnd = r.endNumber();
        }
        long free = allocator.freeFrames();
        long allocated = allocatedFrames();
        long holeFrames = holeFrames();
        if (free + allocated + holeFrames != span.count()) {
            return Optional.of(String.format("free %d + allocated %d + holes %d != span %d (%s)", free, allocated,
                    holeFrames, span.count(), span));
        }
        return Optional.empty();
    }

    /** Test hook: records a live run the allocator never handed out. */
    void corruptAddLive(FrameRange run) {
        live.put(run.start().number(), run.count());
    }

    @Override
    public String toString() {
        return "span " + span + (holes.isEmpty() ? "" : " holes " + holes) + " free " + freeFrames() + " live "
                + live;
    }
}
