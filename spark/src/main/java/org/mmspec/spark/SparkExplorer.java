package org.mmspec.spark;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.StorageLevel;
import org.mmspec.check.CheckOptions;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.StateCodec;
import org.mmspec.check.TransitionSystem;
import org.mmspec.check.store.Fingerprint;

import scala.Tuple2;

/**
 * Level-synchronous breadth-first search of an {@link org.mmspec.check.ExhaustiveModel} on Spark,
 * the second engine beside the in-process {@link org.mmspec.check.Explorer}
 * ({@code spec/checking-core.md} §0.9).
 *
 * <p>The search is one dataset of {@link LevelPart}s, one per hash partition of the 64-bit
 * fingerprints: each holds the partition's visited set and the states the last level discovered
 * in it. A level is one job of two stages: (1) every frontier state is expanded where it lies
 * (decoded, successors generated, keyed, fingerprinted and encoded), and the candidates are
 * shuffled by fingerprint with map-side merging of duplicates; (2) each partition removes the
 * candidates it has already visited (a partition-local anti-join, the same partitioner on both
 * sides), checks the invariants of the survivors and adds them to a copy of its visited set. Only
 * the per-partition counts and the least violation come back to the driver. The dataset is
 * checkpointed every few levels so that its lineage, which a lost executor's partitions are
 * recomputed from, stays short.
 *
 * <p>Each visited state keeps its parent's fingerprint and the index of the transition that
 * reached it (the least (parent, index) among the transitions of its level that reached it). A
 * counterexample walks those back from the violating state to an initial state, one partition
 * lookup per step, and replays the indices through the model on the driver, which renders the
 * same timeline as the in-process explorer and checks every replayed state's fingerprint.
 *
 * <p>Deadlock: a state of the level being expanded that has no successor and that the model does
 * not mark final is reported (on the executors, through a {@link LeastFingerprint} accumulator)
 * as {@code DEADLOCK} with the in-process explorer's message, before any violation among the
 * states that level discovered (the deadlocked state is one level shallower).
 *
 * <p>Counts: a passing search finds the same states, transitions and depth as the in-process
 * search. A failing one stops at the end of the first level job with a violation or a deadlock, so
 * it reports every state that level discovered and every transition of its expansion, where the
 * in-process search stops at the failing state itself (the states discovered before it in its
 * deterministic breadth-first order, and the transitions taken by then); its count lies between
 * {@link Run#statesBefore} and this one (likewise the transitions), and its counterexample has the
 * same, shortest, length. Among several violations of that level the one of least fingerprint is
 * reported, which may not be the one first in the in-process order ({@code spec/checking-core.md}
 * §0.9 says why the Spark engine does not recompute that order).
 */
public final class SparkExplorer {
    private SparkExplorer() {
    }

    /**
     * Knobs of one run.
     *
     * @param partitions hash partitions of the fingerprints (tasks per stage)
     * @param checkpointEvery levels between checkpoints (0: never; needs the context's checkpoint directory)
     */
    public record Settings(int partitions, int checkpointEvery) {
        public Settings {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpoint interval must be 0 or more, not " + checkpointEvery);
            }
        }
    }

    /**
     * A finished run: the result in the in-process explorer's terms, and what Spark moved.
     *
     * @param levels levels expanded
     * @param shuffleBytes bytes written by all shuffles (Spark's task metrics)
     * @param peakHeap the largest heap in use an executor reported at the end of a task
     * @param visitedBytes the visited set's arrays over all partitions at the end
     * @param statesBefore the distinct states of every level but the last one computed: on a
     *        failing run the in-process explorer's count lies between this and the result's
     * @param transitionsBefore the transitions of every expansion but the last one: on a failing
     *        run the in-process explorer's count lies between this and the result's
     * @param brokenAtFailingLevel on a failing run, the invariant each state of the failing level
     *        breaks first, over all of them ({@code DEADLOCK} for a deadlock); the in-process
     *        explorer's violated ID is one of these. Empty on a passing run
     */
    public record Run(ExplorationResult result, int levels, long shuffleBytes, long peakHeap, long visitedBytes,
            long statesBefore, long transitionsBefore, java.util.SortedSet<String> brokenAtFailingLevel) {
    }

    /** Shuffle bytes written, summed over every task that ended (listener events arrive asynchronously). */
    static final class ShuffleMeter extends SparkListener {
        final AtomicLong written = new AtomicLong();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                written.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
            }
        }
    }

    /** Explores with the deadlock check on, as {@link Explorer#explore(TransitionSystem, ExploreBounds)} does. */
    public static Run explore(JavaSparkContext sc, ModelSpec spec, ExploreBounds bounds, Settings settings,
            PrintStream progress) {
        return explore(sc, spec, bounds, settings, CheckOptions.DEFAULT, progress);
    }

    /**
     * Explores with the checks {@code checks} names: the deadlock check runs on the executors;
     * liveness needs the whole graph in one place and is refused.
     */
    public static Run explore(JavaSparkContext sc, ModelSpec spec, ExploreBounds bounds, Settings settings,
            CheckOptions checks, PrintStream progress) {
        if (checks.liveness()) {
            throw new IllegalArgumentException(spec.model() + ": the spark engine does not check liveness; run it in-process");
        }
        return new Search<>(sc, spec, bounds, settings, checks.deadlock(), progress).run();
    }

    private static final class Search<S> {
        private final JavaSparkContext sc;
        private final ModelSpec spec;
        private final ExploreBounds bounds;
        private final Settings settings;
        private final PrintStream progress;
        private final boolean deadlock;
        private final TransitionSystem<S> system;
        private final StateCodec<S> codec;
        private final HashPartitioner partitioner;
        private final ShuffleMeter meter = new ShuffleMeter();
        private long start;
        private long states;
        private long transitions;
        private int depth;
        private long peakHeap;
        private long visitedBytes;
        private long statesBefore;
        private long transitionsBefore;
        private java.util.SortedSet<String> brokenAtFailingLevel = new java.util.TreeSet<>();

        Search(JavaSparkContext sc, ModelSpec spec, ExploreBounds bounds, Settings settings, boolean deadlock,
                PrintStream progress) {
            this.deadlock = deadlock;
            this.sc = sc;
            this.spec = spec;
            this.bounds = bounds;
            this.settings = settings;
            this.progress = progress;
            this.system = spec.system();
            this.codec = spec.codec();
            this.partitioner = new HashPartitioner(settings.partitions());
        }

        Run run() {
            start = System.nanoTime();
            sc.sc().addSparkListener(meter);
            try {
                return search();
            } finally {
                sc.sc().removeSparkListener(meter);
            }
        }

        private Run search() {
            List<S> inits = system.initialStates();
            List<Tuple2<Long, byte[]>> level0 = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < inits.size(); i++) {
                S init = inits.get(i);
                long fp = Fingerprint.of(system.key(init));
                if (!seen.add(fp)) {
                    continue;
                }
                states++;
                if (system.invariants().firstViolation(init).isPresent()) {
                    Counterexample cex = replay(i, List.of(), List.of(fp), null);
                    brokenAtFailingLevel = new java.util.TreeSet<>(List.of(cex.invariantId()));
                    return finish(false, Optional.of(cex), 0);
                }
                level0.add(new Tuple2<>(fp, LevelPart.candidate(0, -1 - i, 0, ModelSpec.encode(codec, init))));
            }
            ModelSpec m = spec;
            JavaRDD<LevelPart> search = sc.parallelizePairs(level0, settings.partitions()).partitionBy(partitioner)
                    .mapPartitions(it -> List.of(LevelPart.initial(it)).iterator(), true);
            search.persist(StorageLevel.MEMORY_AND_DISK());
            long frontier = level0.size();
            boolean cut = false;
            int levels = 0;
            while (frontier > 0) {
                if (depth >= bounds.maxDepth()) {
                    cut = true;
                    break;
                }
                depth++;
                levels++;
                long shuffleBefore = meter.written.get();
                LeastFingerprint deadlocks = deadlock ? new LeastFingerprint() : null;
                if (deadlocks != null) {
                    sc.sc().register(deadlocks, "deadlocks of level " + (depth - 1));
                }
                JavaRDD<LevelPart> next = search
                        .flatMapToPair(p -> LevelPart.<S>expand(m, p, deadlocks))
                        .reduceByKey(partitioner, LevelPart::merge)
                        .zipPartitions(search, (candidates, previous) -> List.of(
                                LevelPart.<S>next(m, candidates, previous.next())).iterator());
                next.persist(StorageLevel.MEMORY_AND_DISK());
                if (settings.checkpointEvery() > 0 && depth % settings.checkpointEvery() == 0) {
                    next.checkpoint();
                }
                List<LevelPart.Summary> parts = next.map(LevelPart::summary).collect();
                search.unpersist(false);
                search = next;
                long fresh = 0;
                long visited = 0;
                long levelTransitions = 0;
                LevelPart.Found found = null;
                java.util.TreeSet<String> broken = new java.util.TreeSet<>();
                for (LevelPart.Summary s : parts) {
                    broken.addAll(s.broken);
                    fresh += s.fresh;
                    levelTransitions += s.transitions;
                    transitions += s.transitions;
                    visited += s.visitedBytes;
                    peakHeap = Math.max(peakHeap, s.heapUsed);
                    found = LevelPart.Found.least(found, s.violation);
                }
                statesBefore = states;
                transitionsBefore = transitions - levelTransitions;
                states += fresh;
                visitedBytes = visited;
                frontier = fresh;
                report(fresh, meter.written.get() - shuffleBefore);
                if (deadlocks != null && deadlocks.value() != null) {
                    // a state of the level just expanded: shallower than any state that level discovered
                    found = new LevelPart.Found(deadlocks.value(), CheckOptions.DEADLOCK, Explorer.DEADLOCK_MESSAGE);
                    broken = new java.util.TreeSet<>(List.of(CheckOptions.DEADLOCK));
                }
                if (found != null) {
                    brokenAtFailingLevel = broken;
                    Counterexample cex = walkBack(search, found);
                    search.unpersist(false);
                    return finish(false, Optional.of(cex), levels);
                }
                if (fresh == 0) {
                    depth--; // the last level found nothing new: report the deepest level with states
                }
                if (states >= bounds.maxStates() && fresh > 0) {
                    cut = true;
                    break;
                }
            }
            search.unpersist(false);
            return finish(!cut, Optional.empty(), levels);
        }

        private void report(long fresh, long shuffled) {
            if (progress == null) {
                return;
            }
            double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            progress.printf("  [spark %s] level %d, frontier %,d, %,d states, %,d transitions, %,.0f states/s,"
                    + " shuffle %,d KiB (total %,d KiB), executor heap peak %,d MiB%n", system.name(), depth, fresh,
                    states, transitions, states / secs, shuffled >> 10, meter.written.get() >> 10, peakHeap >> 20);
        }

        /**
         * Follows parent fingerprints from the violating state back to an initial state (one lookup
         * in one partition per step), then replays the transition indices on the driver.
         */
        private Counterexample walkBack(JavaRDD<LevelPart> search, LevelPart.Found found) {
            List<Integer> path = new ArrayList<>();
            List<Long> fps = new ArrayList<>();
            long fp = found.fp;
            while (true) {
                fps.add(0, fp);
                long at = fp;
                List<long[]>[] hit = search.map(p -> {
                    long[] e = p.visited.entry(at);
                    return e == null ? new long[0] : e;
                }).collectPartitions(new int[] {partitioner.getPartition(at)});
                long[] e = hit[0].get(0);
                if (e.length == 0) {
                    throw new IllegalStateException(system.name() + ": state " + Long.toHexString(at)
                            + " is on the trace but not in the visited set");
                }
                if (e[1] < 0) {
                    // a broken invariant is found again on the driver; only a deadlock is taken as found
                    return replay((int) (-1 - e[1]), path, fps,
                            CheckOptions.DEADLOCK.equals(found.invariantId) ? found : null);
                }
                path.add(0, (int) e[1]);
                fp = e[0];
            }
        }

        /**
         * Replays {@code path} (transition indices) from initial state {@code init}, checking that
         * the i-th state reached has fingerprint {@code fps[i]}; the last state's first violation,
         * found again here, or the deadlock the executors found there ({@code known}, checked
         * again here), ends the counterexample.
         */
        private Counterexample replay(int init, List<Integer> path, List<Long> fps, LevelPart.Found known) {
            S current = system.initialStates().get(init);
            List<Counterexample.TraceStep> steps = new ArrayList<>();
            steps.add(new Counterexample.TraceStep("init", system.invariants().describe(current)));
            for (int i = 0; i < path.size(); i++) {
                TransitionSystem.Transition<S> t = system.successor(current, path.get(i));
                if (Fingerprint.of(system.key(t.next())) != fps.get(i + 1)) {
                    throw new IllegalStateException(system.name() + ": successors are not deterministic at " + t.label());
                }
                current = t.next();
                steps.add(new Counterexample.TraceStep(t.label(), system.invariants().describe(current)));
            }
            if (known != null) {
                if (system.hasSuccessor(current) || system.isFinal(current)) {
                    throw new IllegalStateException(system.name() + ": the replayed state is not deadlocked");
                }
                return new Counterexample(steps, known.message, known.invariantId);
            }
            var v = system.invariants().firstViolation(current).orElseThrow(
                    () -> new IllegalStateException(system.name() + ": the replayed state breaks no invariant"));
            return new Counterexample(steps, v.message(), v.invariantId());
        }

        private Run finish(boolean complete, Optional<Counterexample> cex, int levels) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            ExplorationResult r = new ExplorationResult(system.name(), states, transitions, depth, complete, elapsed, cex);
            return new Run(r, levels, meter.written.get(), peakHeap, visitedBytes, statesBefore, transitionsBefore,
                    java.util.Collections.unmodifiableSortedSet(brokenAtFailingLevel));
        }
    }
}
