package org.mmspec.debug;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.heap.HeapDebugOptions;
import org.mmspec.heap.HeapInvariants;
import org.mmspec.heap.HeapMachine;

/**
 * The heap with every debugging feature on, under the heap machine's rules, checked against the
 * heap invariants and DEBUG-1..DEBUG-5 after every step, plus a rule that renders the memory
 * report and the leak report (neither may throw or disagree with the structure).
 */
public final class DebugMachine implements StateMachine<HeapMachine.State> {
    private final HeapMachine heap = new HeapMachine("debug", HeapDebugOptions.ALL);

    public static DebugMachine machine() {
        return new DebugMachine();
    }

    @Override
    public String name() {
        return "debug";
    }

    @Override
    public HeapMachine.State init(Choices choices) {
        return heap.init(choices);
    }

    @Override
    public List<Rule<HeapMachine.State>> rules() {
        List<Rule<HeapMachine.State>> r = new ArrayList<>(heap.rules());
        r.add(Rule.of("report", (s, step) -> {
            String text = step.call("echo mem > /sys/kernel/debug/memory").perform(() -> new DebugFs(new MemoryReport(
                    HeapStatsAdapters.frames(s.heap().frameAllocator()), HeapStatsAdapters.noZones(),
                    HeapStatsAdapters.noNodes(), HeapStatsAdapters.slabs(s.heap()), HeapStatsAdapters.large(s.heap())))
                    .write("mem")).value();
            step.check(text.contains("[slab]") && text.contains("[large]"), "report lacks sections:%n%s", text);
            long leaked = 0;
            for (LeakDetector.Group g : LeakDetector.report(s.heap(), LeakDetector.empty())) {
                leaked += g.count();
            }
            step.agree("leak report count", leaked, (long) s.heap().liveAllocations().size());
        }));
        return r;
    }

    @Override
    public InvariantSet<HeapMachine.State> invariants() {
        List<Invariant<org.mmspec.heap.SlabAllocator>> all = new ArrayList<>(HeapInvariants.ALL.invariants());
        all.addAll(DebugInvariants.ALL.invariants());
        return HeapMachine.lift(InvariantSet.of("heap+debug", all, org.mmspec.heap.SlabAllocator::stateKey));
    }

    @Override
    public Object snapshot(HeapMachine.State s) {
        return heap.snapshot(s);
    }
}
