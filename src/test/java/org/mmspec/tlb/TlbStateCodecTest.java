package org.mmspec.tlb;

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

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.Manifest;
import org.mmspec.check.StateCodec;

/**
 * The shootdown model's frontier codec reads back every reachable state as the same state: the
 * same key, the same rendering (every field the timeline shows), the same successors in the same
 * order with the same labels; with a cost ghost too (the seeded full flush above the threshold).
 */
class TlbStateCodecTest {
    @ParameterizedTest
    @ValueSource(strings = {"single", "lazy", "reclaim", "bug-full-above", "range-threshold"})
    void everyReachableStateReadsBackAsItself(String config) throws IOException {
        Manifest m = Manifest.load(TlbModels.SHOOTDOWN);
        ShootdownModel model = (ShootdownModel) TlbModels.shootdown().build(Bounds.parse(m.get(config + ".bounds", "")));
        StateCodec<TlbState> codec = model.codec();
        Set<Object> seen = new HashSet<>();
        ArrayDeque<TlbState> todo = new ArrayDeque<>(model.initialStates());
        int checked = 0;
        boolean ghost = false;
        while (!todo.isEmpty() && checked < 3000) {
            TlbState s = todo.poll();
            if (!seen.add(model.key(s))) {
                continue;
            }
            TlbState back = roundTrip(codec, s);
            assertThat(model.key(back)).as("key of\n%s", s).isEqualTo(model.key(s));
            assertThat(back.toString()).isEqualTo(s.toString());
            assertThat(successors(model, back)).isEqualTo(successors(model, s));
            ghost |= s.costBreach() != null;
            checked++;
            model.successors(s, (l, n) -> todo.add(n));
        }
        assertThat(checked).isGreaterThan(10);
        if (config.startsWith("bug-full-above")) {
            assertThat(ghost).as("a state with a cost ghost was read back").isTrue();
        }
    }

    private static TlbState roundTrip(StateCodec<TlbState> codec, TlbState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        codec.write(s, new DataOutputStream(bytes));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        TlbState back = codec.read(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }

    private static List<String> successors(ShootdownModel model, TlbState s) {
        List<String> out = new ArrayList<>();
        model.successors(s, (l, n) -> out.add(l.get() + " => " + model.key(n).hashCode()));
        return out;
    }
}
