package org.mmspec.spark;

import java.io.DataInput;
import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.check.Encoding;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.StateCodec;
import org.mmspec.check.TransitionSystem;

/**
 * A test-only model that deadlocks: two CPUs take two locks in opposite orders. States are small
 * integers: 0 both locks free; CPU 0's path 1 (took A), 2 (took A then B: done, final); CPU 1's path
 * 3 (took B, while CPU 0 waits), 4 (took B then A: done, final); 5 CPU 0 holds A and CPU 1 holds B,
 * neither can go on: reached only through 1, at depth 2, so the shortest trace is unique. With
 * {@code longWay=1} CPU 1 may first take a lock C (state 6) before B, and 5 is also reached at
 * depth 3 through 6 -> 7 -> 5, a longer trace neither engine may report. With {@code
 * stuckFinal=1} the model calls state 5 final, and nothing deadlocks. With {@code noCodec=1} it has
 * no {@link StateCodec}, so the Spark engine refuses it.
 */
public final class StuckModel implements ExhaustiveModel {
    static final int FREE = 0;
    static final int STUCK = 5;

    @Override
    public String name() {
        return "stuck";
    }

    @Override
    public String component() {
        return "test";
    }

    @Override
    public TransitionSystem<Integer> build(Bounds b) {
        boolean stuckFinal = b.getInt("stuckFinal", 0) == 1;
        boolean longWay = b.getInt("longWay", 0) == 1;
        boolean noCodec = b.getInt("noCodec", 0) == 1;
        StateCodec<Integer> codec = Encoding.codec((s, out) -> out.writeInt(s), DataInput::readInt);
        return new TransitionSystem<>() {
            @Override
            public String name() {
                return "stuck " + b;
            }

            @Override
            public List<Integer> initialStates() {
                return List.of(FREE);
            }

            @Override
            public void successors(Integer s, Successors<Integer> out) {
                switch (s) {
                    case FREE -> {
                        out.add(0, () -> "cpu0 takes A", 1);
                        out.add(1, () -> "cpu1 takes B", 3);
                        if (longWay) {
                            out.add(1, () -> "cpu1 takes C", 6);
                        }
                    }
                    case 1 -> {
                        out.add(0, () -> "cpu0 takes B", 2);
                        out.add(1, () -> "cpu1 takes B", STUCK);
                    }
                    case 3 -> {
                        out.add(1, () -> "cpu1 takes A", 4);
                    }
                    case 6 -> out.add(1, () -> "cpu1 takes B", 7);
                    case 7 -> out.add(0, () -> "cpu0 takes A", STUCK);
                    default -> {
                        // 2 and 4 are done; 5 is stuck
                    }
                }
            }

            @Override
            public Object key(Integer s) {
                return s;
            }

            @Override
            public InvariantSet<Integer> invariants() {
                return InvariantSet.of("test");
            }

            @Override
            public boolean isFinal(Integer s) {
                return s == 2 || s == 4 || (stuckFinal && s == STUCK);
            }

            @Override
            public StateCodec<Integer> codec() {
                return noCodec ? null : codec;
            }
        };
    }
}
