package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * Negative tests of the stateful heap machine's own checks: each starts the machine's rules from
 * a state in which the heap and the model (or the heap and the frames the model consults)
 * disagree in one seeded way, replays one step, and asserts the check that must catch it. The
 * heap invariants are left out on purpose, so that the rule's check, not an invariant, is what
 * reports the fault.
 *
 * <p>A replayed step is a choice sequence: a rule's index among the enabled rules
 * ({@code allocate, free, freeBad, drain, shrink, releaseAll}, the ones whose guard holds), then
 * the rule's own draws.
 */
class HeapMachineChecksTest {

    /** The machine's rules over a seeded initial state, with no invariants. */
    private static StateMachine<HeapMachine.State> seeded(HeapDebugOptions debug, Supplier<HeapMachine.State> init) {
        HeapMachine m = new HeapMachine("heap-seeded", debug);
        return new StateMachine<>() {
            @Override
            public String name() {
                return m.name();
            }

            @Override
            public HeapMachine.State init(Choices c) {
                return init.get();
            }

            @Override
            public List<Rule<HeapMachine.State>> rules() {
                return m.rules();
            }

            @Override
            public InvariantSet<HeapMachine.State> invariants() {
                return InvariantSet.of("none", List.of(), st -> "");
            }

            @Override
            public Object snapshot(HeapMachine.State s) {
                return m.snapshot(s);
            }
        };
    }

    /** A state over 64 frames from frame 16, one CPU, magazines of one, nothing kept; {@code seed} stages the fault. */
    private static Supplier<HeapMachine.State> state(HeapDebugOptions debug, Consumer<HeapMachine.State> seed) {
        return () -> {
            HeapMachine.State s = new HeapMachine.State(HeapState.fresh(64, new HeapConfig(1, 1, 1, 0, debug), Bug.NONE));
            seed.accept(s);
            return s;
        };
    }

    /** Choices of one {@code allocate(cpu 0, size)} step, the first enabled rule. */
    private static long[] allocate(long size) {
        return new long[] {0, 0, 0, 0, 0, size - 1};
    }

    private static Throwable failure(StateMachine<HeapMachine.State> m, long[] choices) {
        try {
            StatefulChecker.replay(m, choices);
        } catch (StatefulFailure f) {
            return f.getCause();
        }
        throw new AssertionError("the replay passed");
    }

    @Test
    void theSeededMachineAcceptsAnUnseededState() {
        assertThatCode(() -> StatefulChecker.replay(seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> { })),
                allocate(100))).doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------- OUT_OF_MEMORY only when no run is free

    /** The heap draws from one frame; the model believes all 64 are there. */
    private static HeapMachine.State starved(HeapDebugOptions debug) {
        ReferenceFrameAllocator one = new ReferenceFrameAllocator(FrameRange.of(16, 1));
        FrameRange managed = FrameRange.of(16, 64);
        return new HeapMachine.State(new HeapState(managed, new ReferenceFrameAllocator(managed),
                new SlabAllocator(one, new HeapConfig(1, 1, 1, 0, debug), Bug.NONE)));
    }

    @Test
    void anOutOfMemoryWhileTheFramesForTheRequestAreFreeIsCaught() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, () -> starved(HeapDebugOptions.OFF));
        assertThat(failure(m, allocate(4096))).isInstanceOf(AssertionError.class)
                .hasMessage("OUT_OF_MEMORY although a run of 2 frames aligned to 1 is free");
        assertThat(failure(m, allocate(8192))).hasMessage("OUT_OF_MEMORY although a run of 4 frames aligned to 2 is free");
        assertThat(failure(m, allocate(16_384))).hasMessage("OUT_OF_MEMORY although a run of 8 frames aligned to 4 is free");
        assertThat(failure(m, allocate(20_000))).hasMessage("OUT_OF_MEMORY although a run of 5 frames aligned to 1 is free");
        assertThat(failure(m, allocate(20_481))).hasMessage("OUT_OF_MEMORY although a run of 6 frames aligned to 1 is free");
        assertThat(failure(m, allocate(20_480))).as("exactly five frames").hasMessage(
                "OUT_OF_MEMORY although a run of 5 frames aligned to 1 is free");
    }

    @Test
    void theOutOfMemoryCheckCountsTheRedZone() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.ALL, () -> starved(HeapDebugOptions.ALL));
        // 4089 + 8 guard bytes: past the 4K class, into 8K.
        assertThat(failure(m, allocate(4089))).hasMessage("OUT_OF_MEMORY although a run of 4 frames aligned to 2 is free");
        // 20473 + 8 = 20481 bytes: a 20544-byte block, six frames.
        assertThat(failure(m, allocate(20_473))).hasMessage("OUT_OF_MEMORY although a run of 6 frames aligned to 1 is free");
    }

    @Test
    void anOutOfMemoryWhenNoRunIsFreeIsAccepted() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, () -> {
            HeapMachine.State s = starved(HeapDebugOptions.OFF);
            s.hs.frames.allocate(63); // the model's frames: one left, as the heap's
            return s;
        });
        assertThatCode(() -> StatefulChecker.replay(m, allocate(4096))).doesNotThrowAnyException();
        assertThatCode(() -> StatefulChecker.replay(m, allocate(20_000))).doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------- alignment and overlap

    @Test
    void aSlabObjectOffItsClassAlignmentIsCaught() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            SlabAllocator h = s.hs.heap;
            FrameRange run = h.ledger.take(1);
            Slab slid = new Slab(SizeClass.B128, run, run.start().number() * 4096 + 8);
            h.caches[SizeClass.B128.ordinal()].empty.add(slid);
            h.slabsByStart.put(slid.runStart(), slid);
        }));
        assertThat(failure(m, allocate(100))).isInstanceOf(AssertionError.class)
                .hasMessage(HeapAddr.ofOffset(16 * 4096 + 8) + " is not 128-aligned");
    }

    @Test
    void aLargeBlockOffTheGranuleIsCaught() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            SlabAllocator h = s.hs.heap;
            FrameRange run = h.ledger.take(6);
            long start = run.start().number() * 4096;
            h.large.arenas.put(start, run);
            h.large.free.put(start + 32, run.bytes() - 32);
        }));
        assertThat(failure(m, allocate(20_000))).hasMessage(HeapAddr.ofOffset(16 * 4096 + 32) + " is not 64-aligned");
    }

    @Test
    void anAllocationOverlappingALiveOneIsCaught() {
        long first = 16 * 4096; // where the heap puts its first object
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF,
                s -> s.live.put(first - 64, new long[] {65, 1})));
        assertThat(failure(m, allocate(100))).hasMessage(HeapAddr.ofOffset(first) + "+100 overlaps the live allocation at 0x"
                + Long.toHexString(first - 64));
        // One byte less and the model's allocation ends exactly where the new one starts.
        StateMachine<HeapMachine.State> touching = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF,
                s -> s.live.put(first - 64, new long[] {64, 1})));
        Throwable t = failure(touching, allocate(100));
        assertThat(t.getMessage()).as("no overlap; only the live tables disagree").startsWith("model mismatch on live allocations");
        // A live allocation just past the new one's last byte does not overlap it either.
        StateMachine<HeapMachine.State> after = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF,
                s -> s.live.put(first + 100, new long[] {8, 1})));
        assertThat(failure(after, allocate(100)).getMessage()).startsWith("model mismatch on live allocations");
        StateMachine<HeapMachine.State> inside = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF,
                s -> s.live.put(first + 99, new long[] {8, 1})));
        assertThat(failure(inside, allocate(100))).hasMessageEndingWith("overlaps the live allocation at 0x"
                + Long.toHexString(first + 99));
    }

    @Test
    void anAllocationWritesAPatternAtItsFirstAndLastByte() {
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> kept[0] = s));
        StatefulChecker.replay(m, allocate(100));
        long off = 16 * 4096;
        long pattern = (off >>> 3) & 0x7F | 1;
        HeapMemory mem = kept[0].hs.heap.memory();
        assertThat(mem.read(HeapAddr.ofOffset(off))).isEqualTo((byte) pattern);
        assertThat(mem.read(HeapAddr.ofOffset(off + 99))).isEqualTo((byte) pattern);
        assertThat(mem.read(HeapAddr.ofOffset(off + 1))).isZero();
        assertThat(kept[0].live).containsOnlyKeys(off);
        assertThat(kept[0].live.get(off)).containsExactly(100, pattern);
        assertThat(kept[0].toString()).isEqualTo(kept[0].heap().stateKey());
    }

    // ---------------------------------------------------------------- the caller's bytes

    @Test
    void bytesThatChangedWhileLiveAreCaughtAtTheFree() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            HeapAddr a = s.hs.heap.allocate(0, 64);
            s.live.put(a.offset(), new long[] {64, 0x55});
            s.hs.heap.memory().write(a, (byte) 0x55); // the first byte is right, the last is not
        }));
        assertThat(failure(m, new long[] {1, 0, 0})).hasMessage("the bytes written into "
                + HeapAddr.ofOffset(16 * 4096) + "+64 changed while it was live");
        StateMachine<HeapMachine.State> lastOnly = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            HeapAddr a = s.hs.heap.allocate(0, 64);
            s.live.put(a.offset(), new long[] {64, 0x55});
            s.hs.heap.memory().write(a.plus(63), (byte) 0x55);
        }));
        assertThat(failure(lastOnly, new long[] {1, 0, 0})).hasMessageContaining("changed while it was live");
    }

    /** The state after allocating 64 bytes and freeing them, starting with {@code stale} remembered frees. */
    private static HeapMachine.State allocateAndFree(int stale) {
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            kept[0] = s;
            for (int i = 0; i < stale; i++) {
                s.freed.add(new long[] {(1L << 30) + i * 64, 8});
            }
        }));
        StatefulChecker.replay(m, new long[] {0, 0, 0, 0, 0, 63, // allocate(cpu 0, 64)
            1, 0, 0}); // free it on CPU 0
        return kept[0];
    }

    @Test
    void aFreeOfALiveAllocationMovesItToTheEightMostRecentFrees() {
        HeapMachine.State seven = allocateAndFree(7);
        assertThat(seven.live).isEmpty();
        assertThat(seven.freed).hasSize(8);
        assertThat(seven.freed.get(0)[0]).as("eight fit: none dropped").isEqualTo(1L << 30);
        assertThat(seven.freed.get(7)).containsExactly(16 * 4096, 64);
        HeapMachine.State eight = allocateAndFree(8);
        assertThat(eight.freed).hasSize(8);
        assertThat(eight.freed.get(0)[0]).as("the oldest was dropped").isEqualTo((1L << 30) + 64);
    }

    // ---------------------------------------------------------------- the live tables agree after every rule

    /** The heap holds an allocation the model does not know. */
    private static Supplier<HeapMachine.State> strayAllocation(Consumer<HeapMachine.State> more) {
        return state(HeapDebugOptions.OFF, s -> {
            s.hs.heap.allocate(0, 2048);
            more.accept(s);
        });
    }

    @Test
    void everyRuleComparesTheLiveTables() {
        String mismatch = "model mismatch on live allocations";
        // allocate, and its rejections: BAD_CPU, ZERO_SIZE, TOO_LARGE
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> { })), allocate(8)).getMessage()).startsWith(mismatch);
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> { })), new long[] {0, 24, 0}).getMessage())
                .startsWith(mismatch);
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> { })), new long[] {0, 0, 0, 19, 0}).getMessage())
                .startsWith(mismatch);
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> { })), new long[] {0, 0, 0, 19, 1}).getMessage())
                .startsWith(mismatch);
        // drain (rule 1 of allocate, drain, shrink) and shrink
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> { })), new long[] {1, 0}).getMessage()).startsWith(mismatch);
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> { })), new long[] {2}).getMessage()).startsWith(mismatch);
        // freeBad: a foreign pointer (kind 3), once the model remembers a free
        assertThat(failure(seeded(HeapDebugOptions.OFF, strayAllocation(s -> s.freed.add(new long[] {1L << 40, 8}))),
                new long[] {1, 3, 0, 0}).getMessage()).startsWith(mismatch);
    }

    @Test
    void aFreeComparesTheLiveTablesAfterwards() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            HeapAddr a = s.hs.heap.allocate(0, 64);
            s.live.put(a.offset(), new long[] {64, 0x55});
            s.hs.heap.memory().write(a, (byte) 0x55);
            s.hs.heap.memory().write(a.plus(63), (byte) 0x55);
            s.hs.heap.allocate(0, 2048); // stray
        }));
        assertThat(failure(m, new long[] {1, 0, 0}).getMessage()).startsWith("model mismatch on live allocations");
    }

    // ---------------------------------------------------------------- bad frees get the error their kind calls for

    /** The model believes a 100-byte allocation lives where the heap holds nothing. */
    private static StateMachine<HeapMachine.State> phantom() {
        return seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> s.live.put(1L << 30, new long[] {100, 1})));
    }

    @Test
    void aBadFreeRejectedWithTheWrongKindIsCaught() {
        // freeBad is rule 2 (allocate, free, freeBad, ...); then the kind, the CPU, the live entry.
        assertThat(failure(phantom(), new long[] {2, 1, 0, 0, 4})).hasMessageStartingWith(
                "INTERIOR: expected one of [INTERIOR_POINTER] but got rejected HeapError[NOT_ALLOCATED]");
        assertThat(failure(phantom(), new long[] {2, 2, 0, 0})).hasMessageStartingWith(
                "SIZE: expected one of [SIZE_MISMATCH] but got rejected HeapError[NOT_ALLOCATED]");
        assertThat(failure(phantom(), new long[] {2, 0, 0, 0})).as("no free remembered: DOUBLE becomes FOREIGN")
                .hasMessageStartingWith("model mismatch on live allocations");
    }

    @Test
    void aSizeMismatchDrawnForTheLargestClassIsLarge() {
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            kept[0] = s;
            HeapAddr a = s.hs.heap.allocate(0, 16_000);
            long p = (a.offset() >>> 3) & 0x7F | 1;
            s.live.put(a.offset(), new long[] {16_000, p});
        }));
        assertThatCode(() -> StatefulChecker.replay(m, new long[] {2, 2, 0, 0})).doesNotThrowAnyException();
        StateMachine<HeapMachine.State> big = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            HeapAddr a = s.hs.heap.allocate(0, 20_000);
            s.live.put(a.offset(), new long[] {20_000, 1});
        }));
        assertThatCode(() -> StatefulChecker.replay(big, new long[] {2, 2, 0, 0})).doesNotThrowAnyException();
        StateMachine<HeapMachine.State> small = seeded(HeapDebugOptions.ALL, state(HeapDebugOptions.ALL, s -> {
            HeapAddr a = s.hs.heap.allocate(0, 120);
            s.live.put(a.offset(), new long[] {120, 1});
        }));
        assertThatCode(() -> StatefulChecker.replay(small, new long[] {2, 2, 0, 0})).doesNotThrowAnyException();
    }

    /** The whole failure report: the steps as called (arguments included) and the cause. */
    private static String report(StateMachine<HeapMachine.State> m, long[] choices) {
        try {
            StatefulChecker.replay(m, choices);
        } catch (StatefulFailure f) {
            return f.getMessage();
        }
        throw new AssertionError("the replay passed");
    }

    /** The model believes an allocation of {@code size} bytes lives at 1 GiB, where the heap holds nothing. */
    private static StateMachine<HeapMachine.State> phantom(HeapDebugOptions debug, long size) {
        return seeded(debug, state(debug, s -> s.live.put(1L << 30, new long[] {size, 1})));
    }

    @Test
    void eachBadFreeIsCalledWithTheArgumentsItsKindCallsFor() {
        String at = HeapAddr.ofOffset(1L << 30).toString();
        assertThat(report(phantom(HeapDebugOptions.OFF, 100), new long[] {2, 2, 0, 0}))
                .contains("free(cpu 0, " + at + ", 256) [SIZE]");
        assertThat(report(phantom(HeapDebugOptions.ALL, 120), new long[] {2, 2, 0, 0}))
                .as("the red zone counts: 128 bytes, so twice the class less the guard").contains("free(cpu 0, " + at + ", 248) [SIZE]");
        assertThat(report(phantom(HeapDebugOptions.OFF, 16_000), new long[] {2, 2, 0, 0}))
                .contains("free(cpu 0, " + at + ", 40000) [SIZE]");
        assertThat(report(phantom(HeapDebugOptions.OFF, 20_000), new long[] {2, 2, 0, 0}))
                .contains("free(cpu 0, " + at + ", 8) [SIZE]");
        assertThat(report(phantom(HeapDebugOptions.OFF, 100), new long[] {2, 3, 0, 0, 5}))
                .as("a foreign pointer lies past the managed frames").contains("free(cpu 0, 0xffffc00000050005, 8) [FOREIGN]");
        assertThat(report(phantom(HeapDebugOptions.OFF, 100), new long[] {2, 4, 0, 0}))
                .contains("free(cpu 0, " + at + ", 0) [ZERO]");
        assertThat(report(phantom(HeapDebugOptions.OFF, 100), new long[] {2, 5, 0, 0}))
                .contains("free(cpu 1, " + at + ", 100) [CPU]");
        assertThat(report(phantom(HeapDebugOptions.OFF, 100), new long[] {2, 1, 0, 0, 4}))
                .contains("free(cpu 0, " + HeapAddr.ofOffset((1L << 30) + 5) + ", 100) [INTERIOR]");
    }

    @Test
    void anInteriorFreeNeedsAnAllocationOfAtLeastTwoBytes() {
        assertThat(failure(phantom(HeapDebugOptions.OFF, 2), new long[] {2, 1, 0, 0, 0}))
                .hasMessageStartingWith("INTERIOR: expected one of [INTERIOR_POINTER]");
        assertThatCode(() -> StatefulChecker.replay(phantom(HeapDebugOptions.OFF, 1), new long[] {2, 1, 0, 0}))
                .as("a one-byte allocation has no interior: the step does nothing").doesNotThrowAnyException();
    }

    @Test
    void aRememberedFreeInsideALiveAllocationMustBeAnInteriorPointer() {
        long x = 1L << 30;
        StateMachine<HeapMachine.State> inside = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            s.live.put(x, new long[] {100, 1});
            s.freed.add(new long[] {x + 99, 8});
        }));
        assertThat(failure(inside, new long[] {2, 0, 0, 0, 0}))
                .hasMessageStartingWith("DOUBLE: expected one of [INTERIOR_POINTER] but got rejected HeapError[NOT_ALLOCATED]");
        StateMachine<HeapMachine.State> past = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            s.live.put(x, new long[] {100, 1});
            s.freed.add(new long[] {x + 100, 8});
        }));
        assertThat(failure(past, new long[] {2, 0, 0, 0, 0}).getMessage())
                .as("just past it: any of the three kinds will do").startsWith("model mismatch on live allocations");
        StateMachine<HeapMachine.State> reused = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            s.live.put(x, new long[] {100, 1});
            s.freed.add(new long[] {x, 100});
        }));
        assertThatCode(() -> StatefulChecker.replay(reused, new long[] {2, 0, 0, 0, 0}))
                .as("reused since: a valid free, left to the free rule").doesNotThrowAnyException();
    }

    @Test
    void releaseAllIsEnabledOnlyWithMoreThanTwoLiveAllocations() {
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> two = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            kept[0] = s;
            for (int i = 0; i < 2; i++) {
                HeapAddr a = s.hs.heap.allocate(0, 2000);
                s.live.put(a.offset(), new long[] {2000, 1});
                s.hs.heap.memory().write(a, (byte) 1);
                s.hs.heap.memory().write(a.plus(1999), (byte) 1);
            }
        }));
        // Rule 5 of the five enabled rules wraps round to allocate(cpu 0, 64).
        StatefulChecker.replay(two, new long[] {5, 0, 0, 0, 0, 63});
        assertThat(kept[0].live).hasSize(3);
    }

    @Test
    void theAllocateRuleDrawsItsCpuAndSizeAsSpecified() {
        StateMachine<HeapMachine.State> stray = seeded(HeapDebugOptions.OFF, strayAllocation(s -> { }));
        assertThat(report(stray, new long[] {0, 24, 0})).contains("allocate(cpu 1, 1)");
        assertThat(report(stray, new long[] {0, 24, 1})).contains("allocate(cpu -1, 1)");
        assertThat(report(stray, new long[] {0, 0, 2, 0, 0, 63})).contains("allocate(cpu 0, 64)");
        assertThat(report(stray, new long[] {0, 0, 0, 19, 0})).contains("allocate(cpu 0, 1073741825)");
        assertThat(report(stray, new long[] {0, 0, 0, 19, 1})).contains("allocate(cpu 0, 0)");
        assertThat(report(stray, new long[] {0, 0, 0, 0, 1, 3})).as("from the list of edge sizes").contains("allocate(cpu 0, 9)");
    }

    @Test
    void theAllocateRuleRecordsItsCallSiteAndAPatternFromTheAddress() {
        HeapDebugOptions tracking = new HeapDebugOptions(false, false, false, false, true);
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> m = seeded(tracking, state(tracking, s -> kept[0] = s));
        StatefulChecker.replay(m, new long[] {0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 99}); // allocate(cpu 0, 100) twice
        assertThat(kept[0].heap().liveAllocations()).extracting(Allocation::site)
                .containsExactly(CallSite.of("rule", 3), CallSite.of("rule", 3));
        long second = 16 * 4096 + 128;
        assertThat(kept[0].live.get(second)).containsExactly(100, ((second >>> 3) & 0x7F) | 1);
        assertThat(kept[0].live.get(second)[1]).isEqualTo(0x11);
    }

    @Test
    void freeBadIsDisabledWithNothingLiveAndNothingFreed() {
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> kept[0] = s));
        // Rule 1 is drain (allocate, drain, shrink); then allocate(cpu 0, 64).
        StatefulChecker.replay(m, new long[] {1, 0, 0, 0, 0, 0, 0, 63});
        assertThat(kept[0].live.values()).singleElement().satisfies(v -> assertThat(v[0]).isEqualTo(64));
    }

    @Test
    void aBadFreeWithNothingLiveBecomesADoubleFreeOfARememberedOne() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF,
                s -> s.freed.add(new long[] {1L << 40, 8})));
        assertThatCode(() -> StatefulChecker.replay(m, new long[] {1, 2, 0, 0})).doesNotThrowAnyException();
        assertThatCode(() -> StatefulChecker.replay(m, new long[] {1, 1, 0, 0})).doesNotThrowAnyException();
    }

    @Test
    void anInteriorPointerIsDrawnInsideTheAllocation() {
        assertThat(report(phantom(HeapDebugOptions.OFF, 100), new long[] {2, 1, 0, 0, 99}))
                .contains("free(cpu 0, " + HeapAddr.ofOffset((1L << 30) + 1) + ", 100) [INTERIOR]");
    }

    @Test
    void theShrinkRuleReportsHowManySlabsWentBack() {
        StateMachine<HeapMachine.State> m = seeded(HeapDebugOptions.OFF, () -> {
            HeapMachine.State s = new HeapMachine.State(HeapState.fresh(64, new HeapConfig(1, 1, 1, 1, HeapDebugOptions.OFF), Bug.NONE));
            s.hs.heap.free(0, s.hs.heap.allocate(0, 2048), 2048);
            s.hs.heap.drain(0); // one empty 2K slab, kept
            s.hs.heap.allocate(0, 64); // stray: the live tables disagree after the step
            return s;
        });
        assertThat(report(m, new long[] {2})).contains("shrink() -> 1");
    }

    @Test
    void theLiftedInvariantsKeepTheHeapsDetailAndDescription() {
        HeapMachine.State s = new HeapMachine.State(HeapState.fresh(64, HeapConfig.of(1, 1, 1, 0), Bug.NONE));
        s.hs.heap.ledger.frames.allocate(1);
        String detail = HeapInvariants.HEAP_4.evaluate(s.hs.heap).orElseThrow().detail();
        assertThat(HeapMachine.lift(HeapInvariants.ALL).violations(s)).singleElement()
                .satisfies(v -> assertThat(v.detail()).isEqualTo(detail).isNotEmpty());
        assertThat(HeapMachine.lift(HeapInvariants.ALL).describe(s)).contains(s.hs.heap.stateKey());
        assertThat(HeapModel.lift(HeapInvariants.ALL).violations(s.hs)).singleElement()
                .satisfies(v -> assertThat(v.detail()).isEqualTo(detail));
        assertThat(HeapModel.lift(HeapInvariants.ALL).describe(s.hs)).contains(s.hs.heap.stateKey());
    }

    // ---------------------------------------------------------------- releasing everything returns every frame

    /** Three live 2K allocations the model knows, with their patterns written. */
    private static void threeLive(HeapMachine.State s) {
        for (int i = 0; i < 3; i++) {
            HeapAddr a = s.hs.heap.allocate(0, 2000);
            s.live.put(a.offset(), new long[] {2000, 1});
            s.hs.heap.memory().write(a, (byte) 1);
            s.hs.heap.memory().write(a.plus(1999), (byte) 1);
        }
    }

    @Test
    void releaseAllReturnsEveryFrameOrIsCaught() {
        HeapMachine.State[] kept = new HeapMachine.State[1];
        StateMachine<HeapMachine.State> clean = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            kept[0] = s;
            threeLive(s);
            s.freed.add(new long[] {1L << 40, 8});
        }));
        StatefulChecker.replay(clean, new long[] {5});
        assertThat(kept[0].live).isEmpty();
        assertThat(kept[0].freed).isEmpty();
        assertThat(kept[0].hs.heap.heldFrames()).isZero();
        StateMachine<HeapMachine.State> stray = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            threeLive(s);
            s.hs.heap.allocate(0, 64);
        }));
        assertThat(failure(stray, new long[] {5})).hasMessage(
                "model mismatch on frames held after releasing everything: implementation gave 1, model gave 0");
        StateMachine<HeapMachine.State> taken = seeded(HeapDebugOptions.OFF, state(HeapDebugOptions.OFF, s -> {
            threeLive(s);
            s.hs.frames.allocate(1); // behind the heap's back
        }));
        assertThat(failure(taken, new long[] {5})).hasMessage(
                "model mismatch on free frames after releasing everything: implementation gave 63, model gave 64");
    }

    // ---------------------------------------------------------------- the machine itself

    @Test
    void theMachineDrawsASmallConfigurationAndChecksEveryHeapInvariant() {
        HeapMachine m = HeapSuites.plain();
        assertThat(m.name()).isEqualTo("heap");
        assertThat(HeapSuites.debugging().name()).isEqualTo("heap+debug");
        HeapMachine.State s = m.init(Choices.replay(new long[] {2, 3, 3, 1, 52}));
        HeapConfig c = s.heap().config();
        assertThat(c).isEqualTo(new HeapConfig(3, 4, 4, 1, HeapDebugOptions.OFF));
        assertThat(s.hs.frames.managedFrames()).isEqualTo(64);
        HeapMachine.State least = m.init(Choices.replay(new long[0]));
        assertThat(least.heap().config()).isEqualTo(new HeapConfig(1, 1, 1, 0, HeapDebugOptions.OFF));
        assertThat(least.hs.frames.managedFrames()).isEqualTo(12);
        assertThat(m.invariants().ids()).isEqualTo(HeapInvariants.ALL.ids());
        assertThat(m.rules()).extracting(Rule::name).containsExactly("allocate", "free", "freeBad", "drain", "shrink", "releaseAll");
        assertThat(m.snapshot(least)).isEqualTo(least.heap().snapshot() + " " + least.hs.frames.live());
        assertThat(HeapMachine.lift(HeapInvariants.SLAB).ids()).isEqualTo(HeapInvariants.SLAB.ids());
        assertThat(HeapSuites.all()).hasSize(3);
    }

    @Test
    void theLiftedInvariantsReportTheHeapsViolations() {
        HeapMachine.State s = new HeapMachine.State(HeapState.fresh(64, HeapConfig.of(1, 1, 1, 0), Bug.NONE));
        s.hs.heap.ledger.frames.allocate(1);
        assertThat(HeapMachine.lift(HeapInvariants.ALL).violations(s)).singleElement()
                .satisfies(v -> assertThat(v.invariantId()).isEqualTo("HEAP-4"));
        assertThatThrownBy(() -> HeapSuites.plain().invariants().assertHolds(s)).hasMessageContaining("HEAP-4");
    }
}
