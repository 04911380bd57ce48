package org.mmspec.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.frames.PhysFrame;

/**
 * The heap as a rule-based state machine, compared step by step with a trivially correct model:
 * a map from the start of each live allocation to its size and the byte pattern written into it.
 *
 * <p>What the model checks: a successful allocation lies in the heap region, is aligned to its
 * class (or the large granule), and overlaps no live allocation; the bytes a caller wrote into
 * an allocation are still there when it frees it (no two owners of one object); frees of live
 * starts succeed; an interior pointer is INTERIOR_POINTER; a size of another class is
 * SIZE_MISMATCH; a free of freed memory is DOUBLE_FREE or NOT_ALLOCATED; an address the heap never
 * held is NOT_ALLOCATED; OUT_OF_MEMORY only when the frame allocator has no run for a new slab or
 * arena; and releasing everything returns every frame. Bad input is drawn on purpose (zero sizes,
 * huge sizes, bad CPUs, double frees, interior and foreign pointers), and every rejection is
 * checked to change nothing (ATOMIC-1, through {@link Step#perform}).
 */
public final class HeapMachine implements StateMachine<HeapMachine.State> {

    /** Implementation plus model. */
    public static final class State {
        final HeapState hs;
        /** Model: start offset to {requested, pattern byte}. */
        final TreeMap<Long, long[]> live = new TreeMap<>();
        final List<long[]> freed = new ArrayList<>();

        State(HeapState hs) {
            this.hs = hs;
        }

        public SlabAllocator heap() {
            return hs.heap;
        }

        @Override
        public String toString() {
            return hs.heap.stateKey();
        }
    }

    private static final long[] SIZES = {1, 7, 8, 9, 16, 24, 100, 2040, 2048, 2049, 4096, 8184, 8192, 16376, 16384, 16385,
        20000, 40000, 70000};

    private final String name;
    private final HeapDebugOptions debug;
    private final Bug bug;

    public HeapMachine(String name, HeapDebugOptions debug) {
        this(name, debug, Bug.NONE);
    }

    HeapMachine(String name, HeapDebugOptions debug, Bug bug) {
        this.name = name;
        this.debug = debug;
        this.bug = bug;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public State init(Choices c) {
        int cpus = c.between(1, 3);
        int cap = c.between(1, 4);
        int batch = c.between(1, cap);
        HeapConfig config = new HeapConfig(cpus, cap, batch, c.between(0, 1), debug);
        return new State(HeapState.fresh(c.between(12, 64), config, bug));
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.of("allocate", this::allocate),
                Rule.when("free", s -> !s.live.isEmpty(), this::freeLive),
                Rule.when("freeBad", s -> !s.live.isEmpty() || !s.freed.isEmpty(), this::freeBad),
                Rule.of("drain", (s, step) -> {
                    int cpu = step.between(0, s.hs.heap.config.cpus() - 1);
                    step.call("drain(cpu %d)", cpu).performVoid(() -> s.hs.heap.drain(cpu)).value();
                    agreeLive(s, step);
                }),
                Rule.of("shrink", (s, step) -> {
                    step.call("shrink()").perform(() -> s.hs.heap.shrink()).value();
                    agreeLive(s, step);
                }),
                Rule.when("releaseAll", s -> s.live.size() > 2, this::releaseAll));
    }

    private void allocate(State s, Step<State> step) {
        SlabAllocator h = s.hs.heap;
        int cpus = h.config.cpus();
        int cpu = step.oneIn(25) ? (step.bool() ? -1 : cpus) : step.between(0, cpus - 1);
        long size = step.oneIn(20) ? (step.bool() ? 0 : SlabAllocator.MAX_ALLOCATION + 1)
                : step.bool() ? SIZES[step.between(0, SIZES.length - 1)] : step.between(1L, 50_000L);
        Outcome<HeapAddr> r = step.call("allocate(cpu %d, %d)", cpu, size).perform(() -> h.allocate(cpu, size, CallSite.of("rule", (int) (size % 97))));
        if (cpu < 0 || cpu >= cpus) {
            step.agree("kind", r.kind(), "BAD_CPU");
        } else if (size < 1) {
            step.agree("kind", r.kind(), "ZERO_SIZE");
        } else if (size > SlabAllocator.MAX_ALLOCATION) {
            step.agree("kind", r.kind(), "TOO_LARGE");
        } else if (r.isRejected()) {
            step.agree("kind", r.kind(), "OUT_OF_MEMORY");
            long need = size + debug.guardBytes();
            SizeClass c = SizeClass.fitting(need);
            long frames = c == null ? (LinkedListAllocator.blockFor(need) + PhysFrame.SIZE - 1) / PhysFrame.SIZE
                    : c.slabFrames();
            long align = c == null ? 1 : c.alignFrames();
            step.check(!s.hs.frames.hasRun(frames, align), "OUT_OF_MEMORY although a run of %d frames aligned to %d is free",
                    frames, align);
        } else {
            HeapAddr a = r.value();
            long off = a.offset();
            long need = size + debug.guardBytes();
            SizeClass c = SizeClass.fitting(need);
            long align = c == null ? LinkedListAllocator.GRANULE : c.bytes();
            step.check(a.isAligned(align), "%s is not %d-aligned", a, align);
            Map.Entry<Long, long[]> below = s.live.floorEntry(off + size - 1);
            step.check(below == null || below.getKey() + below.getValue()[0] <= off,
                    "%s+%d overlaps the live allocation at 0x%x", a, size, below == null ? 0 : below.getKey());
            long pattern = (off >>> 3) & 0x7F | 1;
            h.memory().write(a, (byte) pattern);
            h.memory().write(a.plus(size - 1), (byte) pattern);
            s.live.put(off, new long[] {size, pattern});
        }
        agreeLive(s, step);
    }

    private void freeLive(State s, Step<State> step) {
        SlabAllocator h = s.hs.heap;
        List<Long> starts = new ArrayList<>(s.live.keySet());
        long off = starts.get(step.between(0, starts.size() - 1));
        long[] m = s.live.get(off);
        int cpu = step.between(0, h.config.cpus() - 1);
        HeapAddr a = HeapAddr.ofOffset(off);
        step.check(h.memory().read(a) == (byte) m[1] && h.memory().read(a.plus(m[0] - 1)) == (byte) m[1],
                "the bytes written into %s+%d changed while it was live", a, m[0]);
        step.call("free(cpu %d, %s, %d)", cpu, a, m[0]).performVoid(() -> h.free(cpu, a, m[0])).value();
        s.live.remove(off);
        s.freed.add(new long[] {off, m[0]});
        if (s.freed.size() > 8) {
            s.freed.remove(0);
        }
        agreeLive(s, step);
    }

    private enum Bad {
        DOUBLE, INTERIOR, SIZE, FOREIGN, ZERO, CPU
    }

    private void freeBad(State s, Step<State> step) {
        SlabAllocator h = s.hs.heap;
        Bad kind = step.pick(Bad.class);
        if (kind == Bad.DOUBLE && s.freed.isEmpty() || kind != Bad.DOUBLE && s.live.isEmpty()) {
            kind = s.freed.isEmpty() ? Bad.FOREIGN : Bad.DOUBLE;
        }
        long guard = debug.guardBytes();
        int cpu = step.between(0, h.config.cpus() - 1);
        List<Long> starts = new ArrayList<>(s.live.keySet());
        long off = starts.isEmpty() ? 0 : starts.get(step.between(0, starts.size() - 1));
        long size = starts.isEmpty() ? 0 : s.live.get(off)[0];
        HeapAddr at;
        long sz;
        Set<String> expect;
        switch (kind) {
            case DOUBLE: {
                long[] f = s.freed.get(step.between(0, s.freed.size() - 1));
                at = HeapAddr.ofOffset(f[0]);
                sz = f[1];
                Map.Entry<Long, long[]> e = s.live.floorEntry(f[0]);
                if (e != null && e.getKey() == f[0]) {
                    return; // reused since: a valid free, which the free rule covers
                }
                expect = e != null && f[0] < e.getKey() + e.getValue()[0] ? Set.of("INTERIOR_POINTER")
                        : Set.of("DOUBLE_FREE", "NOT_ALLOCATED", "INTERIOR_POINTER");
                break;
            }
            case INTERIOR:
                if (size < 2) {
                    return;
                }
                at = HeapAddr.ofOffset(off + step.between(1L, size - 1));
                sz = size;
                expect = Set.of("INTERIOR_POINTER");
                break;
            case SIZE: {
                SizeClass c = SizeClass.fitting(size + guard);
                sz = c == null ? 8 : c == SizeClass.B16K ? 40_000 : c.bytes() * 2 - guard;
                at = HeapAddr.ofOffset(off);
                expect = Set.of("SIZE_MISMATCH");
                break;
            }
            case FOREIGN:
                at = HeapAddr.ofOffset(s.hs.managed.endNumber() * PhysFrame.SIZE + step.between(0L, 1L << 20));
                sz = 8;
                expect = Set.of("NOT_ALLOCATED");
                break;
            case ZERO:
                at = HeapAddr.ofOffset(off);
                sz = 0;
                expect = Set.of("ZERO_SIZE");
                break;
            default:
                at = HeapAddr.ofOffset(off);
                sz = size;
                cpu = h.config.cpus();
                expect = Set.of("BAD_CPU");
        }
        int c = cpu;
        Outcome<Void> r = step.call("free(cpu %d, %s, %d) [%s]", c, at, sz, kind).performVoid(() -> h.free(c, at, sz));
        step.check(expect.contains(r.kind()), "%s: expected one of %s but got %s", kind, expect, r);
        agreeLive(s, step);
    }

    private void releaseAll(State s, Step<State> step) {
        SlabAllocator h = s.hs.heap;
        step.call("releaseAll()").performVoid(() -> {
            for (Map.Entry<Long, long[]> e : s.live.entrySet()) {
                h.free(0, HeapAddr.ofOffset(e.getKey()), e.getValue()[0]);
            }
            h.drainAll();
            h.shrink();
        }).value();
        s.live.clear();
        s.freed.clear();
        step.agree("frames held after releasing everything", h.heldFrames(), 0L);
        step.agree("free frames after releasing everything", s.hs.frames.freeFrames(), s.hs.frames.managedFrames());
        agreeLive(s, step);
    }

    private static void agreeLive(State s, Step<State> step) {
        List<Long> impl = new ArrayList<>();
        for (Allocation a : s.hs.heap.liveAllocations()) {
            impl.add(a.addr().offset());
        }
        step.agree("live allocations", impl, new ArrayList<>(s.live.keySet()));
    }

    @Override
    public InvariantSet<State> invariants() {
        return lift(HeapInvariants.ALL);
    }

    /** Lifts heap invariants to the machine state. */
    public static InvariantSet<State> lift(InvariantSet<SlabAllocator> set) {
        List<org.mmspec.check.Invariant<State>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<SlabAllocator> inv : set.invariants()) {
            out.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(),
                    st -> inv.evaluate(st.hs.heap).map(v -> v.detail())));
        }
        return InvariantSet.of(set.component(), out, st -> st.hs.heap.stateKey());
    }

    @Override
    public Object snapshot(State s) {
        return s.hs.heap.snapshot() + " " + s.hs.frames.live();
    }
}
