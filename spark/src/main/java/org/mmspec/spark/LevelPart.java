package org.mmspec.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.StateCodec;
import org.mmspec.check.TransitionSystem;
import org.mmspec.check.Violation;
import org.mmspec.check.store.Fingerprint;

import scala.Tuple2;

/**
 * One hash partition of the search after a level: the visited set of the partition (every level
 * so far) and the states this level discovered in it (the next frontier), as codec bytes keyed by
 * fingerprint. The dataset of a search holds exactly one {@code LevelPart} per partition, and
 * partition {@code i} holds exactly the fingerprints the search's {@code HashPartitioner} sends to
 * {@code i}; the next level's candidates are shuffled by the same partitioner, so removing the
 * visited ones is a partition-local anti-join ({@link #next}).
 *
 * <p>A candidate successor travels through the shuffle as its fingerprint and one byte array:
 * the parent's fingerprint (8 bytes), the transition's index among the parent's successors (4),
 * how many transitions reached it (8; {@link #merge} adds these, so the sum over a level is the
 * level's transition count whatever the map-side combining did), then the state's codec bytes.
 */
public final class LevelPart implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int HEADER = Long.BYTES + Integer.BYTES + Long.BYTES;

    final VisitedPartition visited;
    final long[] freshFps;
    final byte[][] freshStates;
    final long transitions;
    /** The invariant broken by this partition's fresh state of least fingerprint that breaks one, or null. */
    final Found violation;
    /**
     * The invariant each of this partition's fresh states breaks first, over all of them: the
     * in-process explorer's first violation is one of these, whichever state it meets first.
     */
    final java.util.TreeSet<String> broken;
    /** Heap in use in the executor's JVM when the task finished. */
    final long heapUsed;

    LevelPart(VisitedPartition visited, long[] freshFps, byte[][] freshStates, long transitions, Found violation,
            java.util.TreeSet<String> broken) {
        this.visited = visited;
        this.freshFps = freshFps;
        this.freshStates = freshStates;
        this.transitions = transitions;
        this.violation = violation;
        this.broken = broken;
        Runtime rt = Runtime.getRuntime();
        this.heapUsed = rt.totalMemory() - rt.freeMemory();
    }

    /** A broken invariant found on an executor: the state's fingerprint, the ID and the message. */
    public static final class Found implements Serializable {
        private static final long serialVersionUID = 1L;
        final long fp;
        final String invariantId;
        final String message;

        Found(long fp, String invariantId, String message) {
            this.fp = fp;
            this.invariantId = invariantId;
            this.message = message;
        }

        /** The one of least fingerprint (unsigned), so the choice never depends on task order. */
        static Found least(Found a, Found b) {
            if (a == null) {
                return b;
            }
            if (b == null) {
                return a;
            }
            return Long.compareUnsigned(a.fp, b.fp) <= 0 ? a : b;
        }
    }

    /** What the driver collects after a level. */
    public static final class Summary implements Serializable {
        private static final long serialVersionUID = 1L;
        final long fresh;
        final long transitions;
        final Found violation;
        final java.util.TreeSet<String> broken;
        final long visitedBytes;
        final long frontierBytes;
        final long heapUsed;

        Summary(LevelPart p) {
            fresh = p.freshFps.length;
            transitions = p.transitions;
            violation = p.violation;
            broken = p.broken;
            visitedBytes = p.visited.bytes();
            long b = 0;
            for (byte[] s : p.freshStates) {
                b += s.length;
            }
            frontierBytes = b;
            heapUsed = p.heapUsed;
        }
    }

    Summary summary() {
        return new Summary(this);
    }

    /** The initial partition: the initial states of this partition, already checked on the driver. */
    static LevelPart initial(Iterator<Tuple2<Long, byte[]>> inits) {
        List<Tuple2<Long, byte[]>> all = new ArrayList<>();
        inits.forEachRemaining(all::add);
        long[] fps = new long[all.size()];
        long[] parents = new long[all.size()];
        int[] ordinals = new int[all.size()];
        byte[][] states = new byte[all.size()][];
        for (int i = 0; i < fps.length; i++) {
            byte[] rec = all.get(i)._2();
            fps[i] = all.get(i)._1();
            parents[i] = parent(rec);
            ordinals[i] = ordinal(rec);
            states[i] = Arrays.copyOfRange(rec, HEADER, rec.length);
        }
        return new LevelPart(new VisitedPartition().plus(fps, parents, ordinals, fps.length), fps, states, 0, null, new java.util.TreeSet<>());
    }

    /**
     * Every successor of every fresh state of this partition, as (fingerprint, candidate) pairs,
     * generated lazily state by state. A state without successors that the model does not call
     * final is added to {@code deadlocks} (null: the deadlock check is off).
     */
    static <S> Iterator<Tuple2<Long, byte[]>> expand(ModelSpec spec, LevelPart part, LeastFingerprint deadlocks) {
        TransitionSystem<S> system = spec.system();
        StateCodec<S> codec = spec.codec();
        return new Iterator<>() {
            private int next;
            private final List<Tuple2<Long, byte[]>> buffer = new ArrayList<>();
            private int at;

            @Override
            public boolean hasNext() {
                while (at == buffer.size() && next < part.freshFps.length) {
                    buffer.clear();
                    at = 0;
                    long parent = part.freshFps[next];
                    S state = ModelSpec.decode(codec, part.freshStates[next], 0);
                    next++;
                    int[] ordinal = {0};
                    system.successors(state, (label, succ) -> {
                        long fp = Fingerprint.of(system.key(succ));
                        buffer.add(new Tuple2<>(fp, candidate(parent, ordinal[0]++, 1, ModelSpec.encode(codec, succ))));
                    });
                    if (ordinal[0] == 0 && deadlocks != null && !system.isFinal(state)) {
                        deadlocks.add(parent);
                    }
                }
                return at < buffer.size();
            }

            @Override
            public Tuple2<Long, byte[]> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return buffer.get(at++);
            }
        };
    }

    /**
     * The anti-join of one partition: the candidates of this level (already merged per
     * fingerprint) minus the partition's visited set; the survivors' invariants are checked here,
     * on the executor, and they are added to a copy of the visited set.
     */
    static <S> LevelPart next(ModelSpec spec, Iterator<Tuple2<Long, byte[]>> candidates, LevelPart previous) {
        TransitionSystem<S> system = spec.system();
        StateCodec<S> codec = spec.codec();
        VisitedPartition seen = previous.visited;
        long transitions = 0;
        List<Tuple2<Long, byte[]>> fresh = new ArrayList<>();
        while (candidates.hasNext()) {
            Tuple2<Long, byte[]> c = candidates.next();
            transitions += weight(c._2());
            if (!seen.contains(c._1())) {
                fresh.add(c);
            }
        }
        int n = fresh.size();
        long[] fps = new long[n];
        long[] parents = new long[n];
        int[] ordinals = new int[n];
        byte[][] states = new byte[n][];
        Found found = null;
        java.util.TreeSet<String> broken = new java.util.TreeSet<>();
        for (int i = 0; i < n; i++) {
            byte[] rec = fresh.get(i)._2();
            fps[i] = fresh.get(i)._1();
            parents[i] = parent(rec);
            ordinals[i] = ordinal(rec);
            states[i] = Arrays.copyOfRange(rec, HEADER, rec.length);
            fresh.set(i, null);
            S state = ModelSpec.decode(codec, states[i], 0);
            Optional<Violation> v = system.invariants().firstViolation(state);
            if (v.isPresent()) {
                found = Found.least(found, new Found(fps[i], v.get().invariantId(), v.get().message()));
                broken.add(v.get().invariantId());
            }
        }
        return new LevelPart(seen.plus(fps, parents, ordinals, n), fps, states, transitions, found, broken);
    }

    static byte[] candidate(long parent, int ordinal, long weight, byte[] state) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + state.length);
        b.putLong(parent).putInt(ordinal).putLong(weight).put(state);
        return b.array();
    }

    static long parent(byte[] rec) {
        return ByteBuffer.wrap(rec).getLong(0);
    }

    static int ordinal(byte[] rec) {
        return ByteBuffer.wrap(rec).getInt(Long.BYTES);
    }

    static long weight(byte[] rec) {
        return ByteBuffer.wrap(rec).getLong(Long.BYTES + Integer.BYTES);
    }

    /**
     * Two candidates of one fingerprint (the same state, reached twice): keeps the one of least
     * (parent fingerprint, transition index), so the parent recorded never depends on the order
     * in which tasks or map-side combining met them, and sums their transition counts.
     */
    static byte[] merge(byte[] a, byte[] b) {
        int cmp = Long.compareUnsigned(parent(a), parent(b));
        if (cmp == 0) {
            cmp = Integer.compare(ordinal(a), ordinal(b));
        }
        byte[] keep = (cmp <= 0 ? a : b).clone();
        ByteBuffer.wrap(keep).putLong(Long.BYTES + Integer.BYTES, weight(a) + weight(b));
        return keep;
    }
}
