package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameError;
import org.mmspec.heap.HeapError;
import org.mmspec.numa.NumaError;
import org.mmspec.paging.PagingError;
import org.mmspec.vm.VmError;
import org.mmspec.zones.ZoneError;

/**
 * Every validation rule the reference enforces on input, and the generator that breaks it.
 *
 * <p>A rule is an operation and the typed error it must answer to input that breaks it. A rule
 * of an operation is covered by a stateful machine: running the machine as its suite does (same
 * draws, every invariant after every step), the operation must be rejected with the rule's error
 * at least {@value #MIN_HITS} times and in at least {@value #MIN_PERMILLE}‰ of its calls. Every
 * such rejection went through {@code Step.perform}, which checks ATOMIC-1 (nothing changed), and
 * each machine compares the error kind with its model's, so a rule switched off fails the run.
 * Construction-time rules (the input of a constructor, before any state exists) are covered by a
 * generator the machine's {@code init} offers first, tested in its own package
 * ({@link #CONSTRUCTION}).
 *
 * <p>{@link #everyErrorKindIsARuleOrStatedOtherwise} lists every error kind of every component:
 * each is a rule here, a construction rule with its generator's test ({@link #CONSTRUCTION}, whose
 * test classes must exist), or is named in {@link #NOT_INPUT_RULES} (state, not input: out of
 * memory). A new error kind that is none of these fails the test.
 */
class ValidationRuleCoverageTest {
    static final int MIN_HITS = 3;
    static final int MIN_PERMILLE = 10;
    static final int RUNS = 20;
    static final int STEPS = 60;

    /** A rule: the machine that breaks it, the operation, the error it must answer. */
    record Rule(String machine, String operation, String kind, String what) {
    }

    private static final Map<String, Supplier<StateMachine<?>>> MACHINES = new LinkedHashMap<>();

    static {
        MACHINES.put("frames/bitmap", org.mmspec.frames.FrameMachines::bitmap);
        MACHINES.put("frames/buddy", org.mmspec.frames.FrameMachines::buddy);
        MACHINES.put("frames/hybrid", org.mmspec.frames.FrameMachines::hybrid);
        MACHINES.put("zones", org.mmspec.zones.ZoneStateMachine::new);
        MACHINES.put("numa", org.mmspec.numa.NumaStateMachine::new);
        MACHINES.put("paging-x86_64", () -> new org.mmspec.paging.PagingMachine(org.mmspec.paging.x86_64.X86_64Pte.FORMAT));
        MACHINES.put("paging-aarch64-16k", () -> new org.mmspec.paging.PagingMachine(org.mmspec.paging.aarch64.Aarch64Pte.G16K));
        MACHINES.put("paging-sv39", () -> new org.mmspec.paging.PagingMachine(org.mmspec.paging.riscv.RiscvPte.SV39));
        MACHINES.put("vm", org.mmspec.vm.VmStateMachine::new);
        MACHINES.put("vm/huge", org.mmspec.vm.VmHugeStateMachine::new);
        MACHINES.put("paging-kernel-image", () -> new org.mmspec.paging.KernelImageMachine(org.mmspec.paging.x86_64.X86_64Pte.FORMAT));
        MACHINES.put("heap", org.mmspec.heap.HeapSuites::plain);
    }

    static final List<Rule> RULES = List.of(
            // frames: FrameAllocator.allocate/free, BuddyAllocator.allocateOrder/freeBlock
            new Rule("frames/bitmap", "allocate", "ZERO_SIZE", "allocate(0)"),
            new Rule("frames/bitmap", "allocate", "IMPOSSIBLE_SIZE", "more frames than managed"),
            new Rule("frames/bitmap", "allocate", "MISALIGNED", "alignment not a power of two"),
            new Rule("frames/bitmap", "free", "OUT_OF_RANGE", "run outside managed memory"),
            new Rule("frames/bitmap", "free", "RESERVED", "run touching a reserved region"),
            new Rule("frames/bitmap", "free", "DOUBLE_FREE", "run already free"),
            new Rule("frames/bitmap", "free", "NOT_ALLOCATED", "run that is not exactly one allocation"),
            new Rule("frames/buddy", "allocate", "ZERO_SIZE", "allocate(0)"),
            new Rule("frames/buddy", "allocate", "IMPOSSIBLE_SIZE", "more than 2^maxOrder frames"),
            new Rule("frames/buddy", "allocateOrder", "IMPOSSIBLE_SIZE", "order out of range"),
            new Rule("frames/buddy", "freeBlock", "IMPOSSIBLE_SIZE", "order out of range"),
            new Rule("frames/buddy", "freeBlock", "MISALIGNED", "block start not aligned to its order"),
            new Rule("frames/buddy", "freeBlock", "OUT_OF_RANGE", "block outside the region"),
            new Rule("frames/buddy", "freeBlock", "RESERVED", "block touching a reserved region"),
            new Rule("frames/buddy", "freeBlock", "DOUBLE_FREE", "block already free"),
            new Rule("frames/buddy", "freeBlock", "NOT_ALLOCATED", "block that is not one allocation"),
            new Rule("frames/hybrid", "allocate", "ZERO_SIZE", "allocate(0)"),
            new Rule("frames/hybrid", "allocate", "IMPOSSIBLE_SIZE", "more frames than either half holds"),
            new Rule("frames/hybrid", "free", "OUT_OF_RANGE", "run outside managed memory"),
            new Rule("frames/hybrid", "free", "RESERVED", "run touching a reserved region"),
            // zones
            new Rule("zones", "allocate", "BAD_ORDER", "order below 0 or above MAX_ORDER"),
            new Rule("zones", "allocate", "NO_SUCH_ZONE", "HIGH on a 64-bit machine"),
            new Rule("zones", "free", "OUT_OF_RANGE", "run outside every zone or across a boundary"),
            new Rule("zones", "free", "RESERVED", "run touching a hole of the memory map"),
            new Rule("zones", "free", "DOUBLE_FREE", "run already free"),
            new Rule("zones", "free", "NOT_ALLOCATED", "partial or overlapping free"),
            // numa
            new Rule("numa", "allocate", "BAD_ORDER", "order out of range"),
            new Rule("numa", "allocate", "UNKNOWN_CPU", "requesting CPU on no node"),
            new Rule("numa", "allocate", "UNKNOWN_NODE", "binding to a node that does not exist"),
            new Rule("numa", "free", "OUT_OF_RANGE", "run outside every node"),
            new Rule("numa", "free", "DOUBLE_FREE", "run already free"),
            new Rule("numa", "free", "NOT_ALLOCATED", "partial free"),
            new Rule("numa", "free", "RESERVED", "run touching the hole init gives a node's memory"),
            // paging, on a 48-bit, a 16 KiB-granule and a 39-bit format
            new Rule("paging-x86_64", "map", "NON_CANONICAL", "address outside the 48-bit canonical range"),
            new Rule("paging-sv39", "map", "NON_CANONICAL", "address outside the 39-bit canonical range"),
            new Rule("paging-x86_64", "map", "UNSUPPORTED_SIZE", "a page size with no leaf in the format"),
            new Rule("paging-aarch64-16k", "map", "UNSUPPORTED_SIZE", "a page size with no leaf in the format"),
            new Rule("paging-x86_64", "map", "MISALIGNED", "frame not aligned to the page size"),
            new Rule("paging-x86_64", "map", "INVALID_FLAGS", "no PRESENT, or a flag the format cannot encode"),
            new Rule("paging-sv39", "updateFlags", "INVALID_FLAGS", "no PRESENT, or a flag the format cannot encode"),
            new Rule("paging-x86_64", "map", "WX_VIOLATION", "writable and executable"),
            new Rule("paging-x86_64", "updateFlags", "WX_VIOLATION", "writable and executable"),
            new Rule("paging-x86_64", "map", "ALREADY_MAPPED", "a leaf already maps part of the page"),
            new Rule("paging-x86_64", "unmap", "NOT_MAPPED", "nothing mapped"),
            new Rule("paging-x86_64", "unmap", "SIZE_MISMATCH", "smaller leaves map part of the page"),
            new Rule("paging-kernel-image", "set_memory_rw", "PROTECTED_SECTION", "write to .text or .rodata"),
            new Rule("paging-kernel-image", "set_memory_x", "PROTECTED_SECTION", "execute from .rodata, .data or .bss"),
            new Rule("paging-kernel-image", "set_memory_ro", "NOT_MAPPED", "a page of the image range in no section"),
            // vm
            new Rule("vm", "mmap", "ZERO_LENGTH", "length 0"),
            new Rule("vm", "mmap", "BAD_FLAGS", "MAP_ANONYMOUS with a file, or neither"),
            new Rule("vm", "mmap", "MISALIGNED", "unaligned file offset or MAP_FIXED address"),
            new Rule("vm", "mmap", "OUT_OF_RANGE", "MAP_FIXED range past TASK_SIZE"),
            new Rule("vm", "mmap", "BELOW_MIN_ADDR", "MAP_FIXED below mmap_min_addr"),
            new Rule("vm", "mmap", "EXISTS", "MAP_FIXED_NOREPLACE over a mapping"),
            new Rule("vm", "mmap", "WX_VIOLATION", "PROT_WRITE|PROT_EXEC under ENFORCE"),
            new Rule("vm", "mprotect", "MISALIGNED", "unaligned address"),
            new Rule("vm", "mprotect", "OUT_OF_RANGE", "range past TASK_SIZE"),
            new Rule("vm", "mprotect", "NOT_MAPPED", "range with a hole"),
            new Rule("vm", "mprotect", "WX_VIOLATION", "PROT_WRITE|PROT_EXEC under ENFORCE"),
            new Rule("vm", "munmap", "ZERO_LENGTH", "length 0"),
            new Rule("vm", "munmap", "MISALIGNED", "unaligned address"),
            new Rule("vm", "munmap", "OUT_OF_RANGE", "range past TASK_SIZE"),
            new Rule("vm", "mremap", "BAD_FLAGS", "unknown bit; FIXED or DONTUNMAP without MAYMOVE; DONTUNMAP resizing"),
            new Rule("vm", "mremap", "MISALIGNED", "unaligned old address or target"),
            new Rule("vm", "mremap", "ZERO_LENGTH", "new length 0, or old length 0 of a private mapping"),
            new Rule("vm", "mremap", "BAD_ADDRESS", "no area at the old address, or growing past its end"),
            new Rule("vm", "mremap", "OVERLAP", "old and new ranges share a page"),
            new Rule("vm", "mremap", "OUT_OF_RANGE", "target range past TASK_SIZE"),
            new Rule("vm", "mremap", "BELOW_MIN_ADDR", "MREMAP_FIXED below mmap_min_addr"),
            new Rule("vm", "mremap", "STACK_MOVE", "moving the grows-down stack"),
            new Rule("vm/huge", "collapse", "MISALIGNED", "range not 2 MiB-aligned"),
            new Rule("vm/huge", "collapse", "NOT_HUGE_ELIGIBLE", "range not in one private anonymous area, or not fully populated"),
            new Rule("vm/huge", "mmap", "MISALIGNED", "MAP_HUGETLB|MAP_FIXED address off the huge page size"),
            new Rule("vm/huge", "mremap", "HUGETLB_RESIZE", "growing a MAP_HUGETLB area, or MREMAP_DONTUNMAP of one"),
            new Rule("vm/huge", "mremap", "MISALIGNED", "a hugetlb address or target off its page size, or a cut inside it"),
            new Rule("vm/huge", "mprotect", "MISALIGNED", "an end strictly inside a hugetlb area off its page size"),
            new Rule("vm/huge", "munmap", "MISALIGNED", "an end strictly inside a hugetlb area off its page size"),
            // heap
            new Rule("heap", "allocate", "ZERO_SIZE", "zero bytes"),
            new Rule("heap", "allocate", "TOO_LARGE", "more than MAX_ALLOCATION"),
            new Rule("heap", "allocate", "BAD_CPU", "CPU out of range"),
            new Rule("heap", "free", "BAD_CPU", "CPU out of range"),
            new Rule("heap", "free", "DOUBLE_FREE", "object already free"),
            new Rule("heap", "free", "INTERIOR_POINTER", "address inside an allocation"),
            new Rule("heap", "free", "SIZE_MISMATCH", "size of another class"),
            new Rule("heap", "free", "NOT_ALLOCATED", "address never allocated"),
            new Rule("heap", "free", "ZERO_SIZE", "size 0"));

    /**
     * Construction-time rules: the constructor's input, broken by a generator the machine's init
     * offers in one run of four, and the test that checks the generator's rate and the typed error.
     */
    private static final String TOPOLOGY = "numa.TopologyRuleGeneratorTest (NumaStateMachine.TopologyRule, offered by init)";

    private static final String ZONE_INPUT = "zones.ConstructionRuleGeneratorTest (ZoneStateMachine.InputRule, offered by init)";

    static final Map<String, String> CONSTRUCTION = Map.ofEntries(
            Map.entry("ZoneError.BAD_MEMORY_MAP", ZONE_INPUT + ": EMPTY_MAP, OVERLAPPING_MAP"),
            Map.entry("ZoneError.BAD_FALLBACK",
                    ZONE_INPUT + ": NOT_SELF_FIRST, REPEATED_ZONE, ABSENT_ZONE, FALLS_UPWARDS"),
            Map.entry("FrameError.BAD_REGION",
                    "frames.ReservedRuleGeneratorTest (FrameMachines.construct: OVERLAPPING, OUTSIDE_MANAGED)"),
            Map.entry("NumaError.EMPTY_TOPOLOGY", TOPOLOGY),
            Map.entry("NumaError.DUPLICATE_NODE", TOPOLOGY),
            Map.entry("NumaError.UNKNOWN_NODE", TOPOLOGY),
            Map.entry("NumaError.MISSING_DISTANCE", TOPOLOGY),
            Map.entry("NumaError.BAD_SELF_DISTANCE", TOPOLOGY),
            Map.entry("NumaError.BAD_DISTANCE", TOPOLOGY),
            Map.entry("NumaError.ASYMMETRIC_DISTANCE", TOPOLOGY),
            Map.entry("NumaError.OVERLAPPING_MEMORY", TOPOLOGY),
            Map.entry("NumaError.CPU_ON_TWO_NODES", TOPOLOGY),
            Map.entry("NumaError.BAD_WATERMARKS",
                    "numa.ZonedNumaTest (theMachinesInitOffersBadWatermarksAtAUsefulRate: ZonedNumaStateMachine.init, one run in five)"));

    /** Errors that answer state rather than input: no input is wrong, the machine is full. */
    static final Map<String, String> NOT_INPUT_RULES = Map.of(
            "FrameError.OUT_OF_MEMORY", "state: no free run now",
            "ZoneError.OUT_OF_MEMORY", "state",
            "NumaError.OUT_OF_MEMORY", "state",
            "NumaError.BOUND_NODE_FULL", "state: the bound node is full",
            "PagingError.OUT_OF_MEMORY", "state: no frame for a table",
            "PagingError.MALFORMED_ENTRY", "state: a reserved entry in memory, never produced by input",
            "VmError.OUT_OF_MEMORY", "state",
            "VmError.NO_SPACE", "state: no gap large enough",
            "HeapError.OUT_OF_MEMORY", "state",
            "HeapError.RED_ZONE_CORRUPTED", "state: a red zone overwritten by a buggy caller, detected on free");

    private static final Map<String, RejectionCensus.Counts> CENSUS = new HashMap<>();

    private static RejectionCensus.Counts census(String machine) {
        return CENSUS.computeIfAbsent(machine, m -> RejectionCensus.run(MACHINES.get(m).get(), 19, RUNS, STEPS));
    }

    @Test
    void everyRuleIsBrokenByItsMachineAtAUsefulRate() {
        List<String> weak = new ArrayList<>();
        for (Rule r : RULES) {
            assertThat(MACHINES).as("machine of " + r).containsKey(r.machine());
            RejectionCensus.Counts c = census(r.machine());
            int hits = c.rejected(r.operation(), r.kind());
            int calls = c.calls(r.operation());
            System.out.printf("rule %-20s %-14s %-18s %4d of %4d calls%n", r.machine(), r.operation(), r.kind(), hits, calls);
            if (hits < MIN_HITS || hits * 1000L < (long) MIN_PERMILLE * calls) {
                weak.add(r + ": " + hits + " of " + calls + " calls");
            }
        }
        assertThat(weak).as("rules their machine breaks too rarely (need %d and %d permille)", MIN_HITS, MIN_PERMILLE).isEmpty();
    }

    @Test
    void everyErrorKindIsARuleOrStatedOtherwise() {
        TreeSet<String> covered = new TreeSet<>();
        Map<String, String> prefix = Map.of("frames", "FrameError", "zones", "ZoneError", "numa", "NumaError", "paging",
                "PagingError", "vm", "VmError", "heap", "HeapError");
        for (Rule r : RULES) {
            String component = r.machine().split("[/-]")[0];
            covered.add(prefix.get(component) + "." + r.kind());
        }
        covered.addAll(CONSTRUCTION.keySet());
        TreeSet<String> missing = new TreeSet<>();
        for (Class<? extends Enum<?>> kinds : List.<Class<? extends Enum<?>>>of(FrameError.Kind.class, ZoneError.Kind.class,
                NumaError.Kind.class, PagingError.Kind.class, VmError.Kind.class, HeapError.Kind.class)) {
            for (Enum<?> k : kinds.getEnumConstants()) {
                String name = kinds.getEnclosingClass().getSimpleName() + "." + k.name();
                if (!covered.contains(name) && !NOT_INPUT_RULES.containsKey(name)) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing).as("error kinds with no rule, no generator and no stated reason").isEmpty();
        assertThat(CONSTRUCTION.keySet()).as("a construction rule is not also stated to be state").doesNotContainAnyElementsOf(
                NOT_INPUT_RULES.keySet());
        for (Map.Entry<String, String> e : CONSTRUCTION.entrySet()) {
            String test = "org.mmspec." + e.getValue().split(" ")[0];
            assertThat(loads(test)).as("the generator test of " + e.getKey() + ": " + test).isTrue();
        }
    }

    private static boolean loads(String className) {
        try {
            Class.forName(className);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
