package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Test support: a model's {@link StateCodec} reads back each reachable state as the same state
 * for the search (the same key, the same bytes when written again, the same successors in the
 * same order, the same invariant verdict, rendering and finality). {@code StateCodecRoundTripTest}
 * runs it over every catalogue model; a component's own tests run it over that component's
 * models, so mutation testing of the component (which runs only its own tests) sees its codec
 * checked.
 */
public final class CodecRoundTrip {
    private CodecRoundTrip() {
    }

    /**
     * Reads back the first {@code limit} states of {@code system} (breadth-first) through its
     * codec and asserts each is the same state for the search; returns how many were checked.
     */
    public static <S> int roundTrips(TransitionSystem<S> system, int limit) throws IOException {
        StateCodec<S> codec = system.codec();
        Set<Object> seen = new HashSet<>();
        ArrayDeque<S> todo = new ArrayDeque<>(system.initialStates());
        int checked = 0;
        while (!todo.isEmpty() && checked < limit) {
            S s = todo.poll();
            if (!seen.add(system.key(s))) {
                continue;
            }
            byte[] bytes = encode(codec, s);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            S back = codec.read(in);
            assertThat(in.available()).as("every byte read").isZero();
            String what = system.invariants().describe(s);
            assertThat(system.key(back)).as("key of %s", what).isEqualTo(system.key(s));
            assertThat(encode(codec, back)).as("bytes of %s written again", what).isEqualTo(bytes);
            assertThat(successors(system, back)).as("successors of %s", what).isEqualTo(successors(system, s));
            assertThat(system.invariants().firstViolation(back)).isEqualTo(system.invariants().firstViolation(s));
            assertThat(system.invariants().describe(back)).isEqualTo(what);
            assertThat(system.isFinal(back)).isEqualTo(system.isFinal(s));
            checked++;
            // at most the states still to check are kept: a huge-page state holds megabytes of memory
            int room = limit - checked;
            system.successors(s, (l, n) -> {
                if (todo.size() < room) {
                    todo.add(n);
                }
            });
        }
        assertThat(checked).as("states read back").isGreaterThan(1);
        return checked;
    }

    private static <S> byte[] encode(StateCodec<S> codec, S s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            codec.write(s, out);
        }
        return bytes.toByteArray();
    }

    private static <S> List<String> successors(TransitionSystem<S> system, S s) {
        List<String> out = new ArrayList<>();
        system.successors(s, (l, n) -> out.add(l.get() + " => " + system.key(n)));
        return out;
    }
}
