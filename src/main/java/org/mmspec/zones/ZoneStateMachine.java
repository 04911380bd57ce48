package org.mmspec.zones;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridModel;
import org.mmspec.frames.PhysFrame;

/**
 * Stateful, model-based check of the zone allocator. The state holds the {@link ZoneSystem} under
 * test, by default with the seed's {@code HybridAllocator} in every zone
 * ({@link AllocatorFactory#HYBRID}), and a trivially correct model: one {@link HybridModel} (a
 * reference allocator per half of the zone's hybrid) per zone over the frames of the memory map
 * that lie in the zone's window (computed frame by frame from the seed's boundaries, not with
 * {@link ZoneLayout#clip}), the standard fallback lists written out by hand, and a set of cached
 * runs. Every allocation must land in the zone where the model's search of the fallback list
 * lands it (the operational meaning of ZONE-4: "the first zone that could satisfy it"), as a
 * block of {@code 2^order} frames aligned to its size at the place the hybrid's contract allows
 * (the bitmap half's aligned first fit exactly; in the buddy half any free aligned block), and
 * every bad free must be rejected with the kind the model predicts.
 */
public final class ZoneStateMachine implements StateMachine<ZoneStateMachine.State> {
    /** 16 MiB and 4 GiB as frame numbers, written out again so the model does not share code. */
    private static final long MODEL_DMA_END = 4096;
    private static final long MODEL_HIGH_START = 1L << 20;

    private final ZoneAllocator.Bug bug;
    private final AllocatorFactory factory;

    /** The zone allocator with its production default: a HybridAllocator per zone. */
    public ZoneStateMachine() {
        this(ZoneAllocator.Bug.NONE, AllocatorFactory.HYBRID);
    }

    /** The zone allocator with the zones' allocators built by {@code factory}. */
    public ZoneStateMachine(AllocatorFactory factory) {
        this(ZoneAllocator.Bug.NONE, factory);
    }

    ZoneStateMachine(ZoneAllocator.Bug bug) {
        this(bug, AllocatorFactory.HYBRID);
    }

    ZoneStateMachine(ZoneAllocator.Bug bug, AllocatorFactory factory) {
        this.bug = bug;
        this.factory = factory;
    }

    /** The system under test and its model. */
    public static final class State {
        final ZoneSystem sys;
        final WordSize word;
        final List<FrameRange> map;
        final Map<ZoneType, HybridModel> model = new EnumMap<>(ZoneType.class);
        final Map<ZoneType, FrameRange> modelSpan = new EnumMap<>(ZoneType.class);
        final TreeSet<FrameRange> modelCache = new TreeSet<>();
        final List<Long> probes;

        State(ZoneSystem sys, WordSize word, List<FrameRange> map) {
            this.sys = sys;
            this.word = word;
            this.map = map;
            TreeSet<Long> p = new TreeSet<>();
            for (FrameRange r : map) {
                for (long f = r.start().number() - 1; f <= r.endNumber(); f++) {
                    p.add(f);
                }
            }
            if (p.isEmpty()) {
                p.add(MODEL_DMA_END); // an empty map, accepted only with its rule switched off
            }
            this.probes = List.copyOf(p);
        }

        @Override
        public String toString() {
            return sys.toString();
        }
    }

    @Override
    public String name() {
        String base = factory == AllocatorFactory.HYBRID ? "zone-allocator" : "zone-allocator/" + factory;
        return bug == ZoneAllocator.Bug.NONE ? base : base + "[" + bug + "]";
    }

    /**
     * The input rules of the {@link ZoneAllocator} constructor, each refused with its own
     * {@link ZoneError.Kind} and a message naming what is wrong, and how to break exactly one of
     * them in a valid memory map and the standard fallback matrix: the generator of bad
     * construction input. The memory-map rules are {@link ZoneAllocator#normalize}'s, the
     * fallback rules {@link FallbackOrder#problem}'s (ZONE-7's statement).
     */
    public enum InputRule {
        /** No usable memory at all. */
        EMPTY_MAP(ZoneError.Kind.BAD_MEMORY_MAP, "no usable memory"),
        /** A range that overlaps another, starting inside it. */
        OVERLAPPING_MAP(ZoneError.Kind.BAD_MEMORY_MAP, "overlap"),
        /** A zone's list is missing, empty, or starts with another zone. */
        NOT_SELF_FIRST(ZoneError.Kind.BAD_FALLBACK, "must start with"),
        /** A list names a zone twice. */
        REPEATED_ZONE(ZoneError.Kind.BAD_FALLBACK, "twice"),
        /** On 64-bit: a list for HIGH, or a list naming HIGH. */
        ABSENT_ZONE(ZoneError.Kind.BAD_FALLBACK, "does not exist"),
        /** A list names a zone above its own (DMA falls back to NORMAL). */
        FALLS_UPWARDS(ZoneError.Kind.BAD_FALLBACK, "falls back upwards");

        /** The error input breaking this rule must get. */
        public final ZoneError.Kind kind;
        /** What the error's message says. */
        public final String says;

        InputRule(ZoneError.Kind kind, String says) {
            this.kind = kind;
            this.says = says;
        }

        /** The rules that can be broken alone on {@code word}: HIGH is absent only on 64-bit. */
        public static List<InputRule> applicable(WordSize word) {
            return java.util.Arrays.stream(values()).filter(r -> r != ABSENT_ZONE || word == WordSize.BITS_64).toList();
        }

        /** {@code map} (valid) broken by this rule, or unchanged if this is a fallback rule. */
        public List<FrameRange> breakMap(Choices c, List<FrameRange> map) {
            switch (this) {
                case EMPTY_MAP:
                    return List.of();
                case OVERLAPPING_MAP: {
                    FrameRange r = c.pick(map);
                    List<FrameRange> out = new ArrayList<>(map);
                    out.add(FrameRange.of(r.start().number() + c.below(r.count()), c.between(1, 2)));
                    return out;
                }
                default:
                    return map;
            }
        }

        /** The standard matrix of {@code word} broken by this rule, or unchanged if this is a map rule. */
        public FallbackOrder breakFallback(Choices c, WordSize word) {
            List<ZoneType> zones = ZoneLayout.zones(word);
            Map<ZoneType, List<ZoneType>> m = new EnumMap<>(ZoneType.class);
            for (ZoneType z : zones) {
                m.put(z, modelFallback(z));
            }
            ZoneType z = c.pick(zones);
            List<ZoneType> list = new ArrayList<>(m.get(z));
            switch (this) {
                case NOT_SELF_FIRST -> {
                    int how = c.between(0, 2);
                    if (how == 0) {
                        m.remove(z);
                        return FallbackOrder.unchecked(m);
                    }
                    list.clear();
                    if (how == 2) {
                        list.add(c.pick(zones.stream().filter(y -> y != z).toList()));
                        list.addAll(m.get(z));
                    }
                }
                case REPEATED_ZONE -> list.add(list.get(c.between(0, list.size() - 1)));
                case ABSENT_ZONE -> {
                    if (c.bool()) {
                        m.put(ZoneType.HIGH, modelFallback(ZoneType.HIGH));
                        return FallbackOrder.unchecked(m);
                    }
                    list.add(ZoneType.HIGH);
                }
                case FALLS_UPWARDS -> {
                    ZoneType low = z == zones.get(zones.size() - 1) ? zones.get(0) : z;
                    List<ZoneType> above = zones.subList(zones.indexOf(low) + 1, zones.size());
                    list = new ArrayList<>(m.get(low));
                    list.add(c.pick(above));
                    m.put(low, list);
                    return FallbackOrder.unchecked(m);
                }
                default -> {
                    return FallbackOrder.standard(word);
                }
            }
            m.put(z, list);
            return FallbackOrder.unchecked(m);
        }
    }

    @Override
    public State init(Choices c) {
        WordSize word = c.bool() ? WordSize.BITS_64 : WordSize.BITS_32;
        int dma = c.between(0, 4);
        int normal = c.between(0, 6);
        int hole = normal > 1 ? c.between(0, 2) : 0;
        int upper = c.between(0, 4);
        if (dma + normal + upper == 0) {
            dma = 1;
        }
        List<FrameRange> map = new ArrayList<>();
        if (hole > 0) {
            map.add(FrameRange.of(MODEL_DMA_END - dma, dma + 1L));
            map.add(FrameRange.of(MODEL_DMA_END + 1 + hole, normal - 1L));
        } else if (dma + normal > 0) {
            map.add(FrameRange.of(MODEL_DMA_END - dma, (long) dma + normal));
        }
        if (upper > 0) {
            long at = word == WordSize.BITS_32 ? MODEL_HIGH_START : MODEL_DMA_END + normal + hole + 3;
            map.add(FrameRange.of(at, upper));
        }
        ZoneSystem sys = null;
        if (c.oneIn(4)) {
            // Bad input first, one run in four: the drawn map or the standard fallback matrix broken
            // by one rule. It must be refused with exactly that rule's error (nothing is built); if it
            // is accepted (the rule switched off), the run goes on with it and ZONE-2 or ZONE-7 fails
            // at the first check.
            InputRule rule = c.pick(InputRule.applicable(word));
            List<FrameRange> badMap = rule.breakMap(c, map);
            FallbackOrder badFallback = rule.breakFallback(c, word);
            try {
                sys = ZoneSystem.of(word, badMap, badFallback, bug, factory);
                map = badMap;
            } catch (ZoneError e) {
                if (e.errorKind() != rule.kind || !e.getMessage().contains(rule.says)) {
                    throw new AssertionError("input broken by " + rule + " (map " + badMap + ", fallback " + badFallback
                            + ") refused with " + e.errorKind() + ": " + e.getMessage(), e);
                }
            }
        }
        if (sys == null) {
            sys = ZoneSystem.of(word, map, bug, factory);
        }
        State s = new State(sys, word, map);
        for (ZoneType z : modelZones(word)) {
            TreeSet<Long> frames = new TreeSet<>();
            for (FrameRange r : map) {
                for (long f = r.start().number(); f < r.endNumber(); f++) {
                    if (modelZoneOf(word, f) == z) {
                        frames.add(f);
                    }
                }
            }
            if (frames.isEmpty()) {
                continue;
            }
            FrameRange span = FrameRange.of(frames.first(), frames.last() + 1 - frames.first());
            List<FrameRange> holes = new ArrayList<>();
            for (long f = frames.first(); f <= frames.last(); f++) {
                if (!frames.contains(f)) {
                    holes.add(FrameRange.of(f, 1));
                }
            }
            // The allocator's configuration (a hybrid's threshold and split) comes from the zone under
            // test; its memory, from the model's own frame-by-frame split. HYBRID-1 checks the split.
            Optional<org.mmspec.frames.FrameAllocator> impl = s.sys.zones.zones().stream().filter(zz -> zz.type() == z)
                    .findFirst().flatMap(Zone::pool).map(FramePool::allocator);
            s.model.put(z, impl.map(a -> HybridModel.of(a, span, holes)).orElseGet(() -> HybridModel.firstFit(span, holes)));
            s.modelSpan.put(z, span);
        }
        return s;
    }

    private static List<ZoneType> modelZones(WordSize word) {
        return word == WordSize.BITS_32 ? List.of(ZoneType.DMA, ZoneType.NORMAL, ZoneType.HIGH)
                : List.of(ZoneType.DMA, ZoneType.NORMAL);
    }

    private static ZoneType modelZoneOf(WordSize word, long frame) {
        if (frame < MODEL_DMA_END) {
            return ZoneType.DMA;
        }
        return word == WordSize.BITS_32 && frame >= MODEL_HIGH_START ? ZoneType.HIGH : ZoneType.NORMAL;
    }

    /** The standard fallback lists, by hand: HIGH, NORMAL, DMA downwards. */
    private static List<ZoneType> modelFallback(ZoneType z) {
        return switch (z) {
            case DMA -> List.of(ZoneType.DMA);
            case NORMAL -> List.of(ZoneType.NORMAL, ZoneType.DMA);
            case HIGH -> List.of(ZoneType.HIGH, ZoneType.NORMAL, ZoneType.DMA);
        };
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.of("allocate", this::allocate),
                Rule.when("free", s -> !s.sys.zones.live().isEmpty(), this::freeLive),
                Rule.of("freeBad", this::freeBad));
    }

    /** What an allocation did, comparable between implementation and model. */
    private record Result(String kind, FrameRange run, ZoneType served, long reclaimed) {
    }

    private void allocate(State s, org.mmspec.check.Step<State> step) {
        ZoneType z = step.pick(ZoneType.class);
        int order = step.oneIn(10) ? ZoneAllocator.MAX_ORDER + 1 : step.between(-1, 3);
        ZoneModel.Mode mode = step.pick(ZoneModel.Mode.class);
        step.call("allocate(%s, order %d, %s)", z, order, mode.label);
        Outcome<Result> got = step.perform(() -> {
            List<FrameRange> before = new ArrayList<>(s.sys.cache.cached());
            try {
                ZoneRequest r = switch (mode) {
                    case FALLBACK -> ZoneRequest.of(z, order);
                    case EXACT -> ZoneRequest.exact(z, order);
                    case CACHE -> new ZoneRequest(z, order, true, false);
                };
                ZoneAllocation a = s.sys.zones.allocate(r);
                if (mode == ZoneModel.Mode.CACHE) {
                    s.sys.cache.add(a.run());
                }
                before.removeAll(s.sys.cache.cached());
                return new Result("ok", a.run(), a.served(), before.stream().mapToLong(FrameRange::count).sum());
            } catch (ZoneError e) {
                if (e.reclaimedFrames() == 0) {
                    throw e;
                }
                return new Result(e.kind(), null, null, e.reclaimedFrames());
            }
        });
        Result expected = modelAllocate(s, z, order, mode, got.isOk() ? got.value() : null, step);
        Result actual = got.isOk() ? got.value() : new Result(got.kind(), null, null, 0);
        step.agree("allocate(" + z + ", order " + order + ", " + mode.label + ")", actual, expected);
        agreeOnFreeFrames(s, step);
    }

    private Result modelAllocate(State s, ZoneType z, int order, ZoneModel.Mode mode, Result actual,
            org.mmspec.check.Step<State> step) {
        if (order < 0 || order > ZoneAllocator.MAX_ORDER) {
            return new Result("BAD_ORDER", null, null, 0);
        }
        if (!modelZones(s.word).contains(z)) {
            return new Result("NO_SUCH_ZONE", null, null, 0);
        }
        long count = 1L << order;
        List<ZoneType> list = mode == ZoneModel.Mode.EXACT ? List.of(z) : modelFallback(z);
        Optional<Result> r = modelTry(s, list, count, 0, actual, step);
        if (r.isPresent()) {
            if (mode == ZoneModel.Mode.CACHE) {
                s.modelCache.add(r.get().run());
            }
            return r.get();
        }
        if (mode != ZoneModel.Mode.FALLBACK) {
            return new Result("OUT_OF_MEMORY", null, null, 0);
        }
        long freed = 0;
        for (FrameRange run : List.copyOf(s.modelCache)) {
            if (freed >= count) {
                break;
            }
            if (list.contains(modelZoneOf(s.word, run.start().number()))) {
                s.model.get(modelZoneOf(s.word, run.start().number())).free(run);
                s.modelCache.remove(run);
                freed += run.count();
            }
        }
        if (freed == 0) {
            return new Result("OUT_OF_MEMORY", null, null, 0);
        }
        return modelTry(s, list, count, freed, actual, step).orElse(new Result("OUT_OF_MEMORY", null, null, freed));
    }

    /**
     * The first zone of {@code list} whose model can serve a naturally aligned block of
     * {@code count} frames. Where the hybrid's contract fixes the run (its bitmap half), the
     * model's run is the expected one; where it leaves the choice to the buddy half, the
     * implementation's run is checked against the model (aligned, free, in that half) and taken.
     */
    private static Optional<Result> modelTry(State s, List<ZoneType> list, long count, long reclaimed, Result actual,
            org.mmspec.check.Step<State> step) {
        for (ZoneType zz : list) {
            HybridModel m = s.model.get(zz);
            if (m == null) {
                continue;
            }
            HybridModel.Expectation e = m.expect(count, count);
            if (!e.served()) {
                continue;
            }
            FrameRange run = e.exactRun().orElse(null);
            if (actual != null && actual.run() != null && actual.served() == zz) {
                Optional<String> problem = m.accept(e, count, actual.run());
                step.check(problem.isEmpty(), "zone %s: %s", zz, problem.orElse(""));
                run = actual.run();
            }
            return Optional.of(new Result("ok", run, zz, reclaimed));
        }
        return Optional.empty();
    }

    private void freeLive(State s, org.mmspec.check.Step<State> step) {
        List<ZoneAllocation> live = new ArrayList<>(s.sys.zones.live().values());
        ZoneAllocation a = step.pick(live);
        step.call("free(%s)", a.run());
        Outcome<Void> got = step.performVoid(() -> s.sys.free(a.run()));
        step.agree("free(" + a.run() + ")", got.kind(), "ok");
        s.model.get(modelZoneOf(s.word, a.run().start().number())).free(a.run());
        s.modelCache.remove(a.run());
        agreeOnFreeFrames(s, step);
    }

    private void freeBad(State s, org.mmspec.check.Step<State> step) {
        long f = step.pick(s.probes);
        long count = step.oneIn(3) ? 2 : 1;
        FrameRange run = FrameRange.of(f, count);
        step.call("free(%s)", run);
        String expected = modelFreeKind(s, run);
        Outcome<Void> got = step.performVoid(() -> s.sys.free(run));
        step.agree("free(" + run + ")", got.kind(), expected);
        if (got.isOk()) {
            s.model.get(modelZoneOf(s.word, f)).free(run);
            s.modelCache.remove(run);
        }
        agreeOnFreeFrames(s, step);
    }

    /** The model's verdict on freeing {@code run}: ok, or the rejection kind. */
    private static String modelFreeKind(State s, FrameRange run) {
        ZoneType z = modelZoneOf(s.word, run.start().number());
        FrameRange span = s.modelSpan.get(z);
        HybridModel m = s.model.get(z);
        if (span == null || !span.contains(run.start())) {
            return "OUT_OF_RANGE";
        }
        Long len = m.liveAt(run.start().number()).orElse(null);
        if (len != null && len == run.count()) {
            return "ok";
        }
        if (!span.contains(run)) {
            return "OUT_OF_RANGE";
        }
        boolean anyLive = false;
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            boolean usable = false;
            for (FrameRange r : s.map) {
                usable |= r.contains(org.mmspec.frames.PhysFrame.of(f));
            }
            if (!usable) {
                return "RESERVED";
            }
            anyLive |= !m.isFree(org.mmspec.frames.PhysFrame.of(f));
        }
        return anyLive ? "NOT_ALLOCATED" : "DOUBLE_FREE";
    }

    private static void agreeOnFreeFrames(State s, org.mmspec.check.Step<State> step) {
        for (Zone z : s.sys.zones.zones()) {
            HybridModel m = s.model.get(z.type());
            step.agree("free frames of " + z.type(), z.freeFrames(), m == null ? 0L : m.freeFrames());
        }
        step.agree("page cache", new ArrayList<>(s.sys.cache.cached()), new ArrayList<>(s.modelCache));
    }

    @Override
    public InvariantSet<State> invariants() {
        return INVARIANTS;
    }

    private static final InvariantSet<State> INVARIANTS = liftToState();

    private static InvariantSet<State> liftToState() {
        List<org.mmspec.check.Invariant<State>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<ZoneSystem> inv : ZoneSystem.INVARIANTS.invariants()) {
            out.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(),
                    st -> inv.evaluate(st.sys).map(v -> v.detail())));
        }
        return InvariantSet.of("zones", out, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return s.sys.key();
    }
}
