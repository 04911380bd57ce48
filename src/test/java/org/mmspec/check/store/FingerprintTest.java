package org.mmspec.check.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class FingerprintTest {
    record Point(int x, long y, String name) {
    }

    /** A non-record key compared by its fields, like ShootdownModel's array key. */
    static final class ArrayKey {
        private final long[] k;
        private final int hash;

        ArrayKey(long... k) {
            this.k = k;
            this.hash = java.util.Arrays.hashCode(k);
        }
    }

    enum Colour { RED, GREEN }

    @Test
    void equalKeysHaveEqualFingerprintsWhateverTheirConcreteCollection() {
        assertThat(Fingerprint.of(List.of(1, 2, 3))).isEqualTo(Fingerprint.of(new ArrayList<>(List.of(1, 2, 3))));
        Set<Integer> a = new LinkedHashSet<>(List.of(1, 2, 3));
        Set<Integer> b = new LinkedHashSet<>(List.of(3, 1, 2));
        assertThat(a).isEqualTo(b);
        assertThat(Fingerprint.of(a)).isEqualTo(Fingerprint.of(b)).isEqualTo(Fingerprint.of(new HashSet<>(a)));
        Map<String, Integer> m1 = new LinkedHashMap<>();
        m1.put("a", 1);
        m1.put("b", 2);
        Map<String, Integer> m2 = new TreeMap<>(Map.of("b", 2, "a", 1));
        assertThat(Fingerprint.of(m1)).isEqualTo(Fingerprint.of(m2));
        assertThat(Fingerprint.of(new Point(1, 2, "p"))).isEqualTo(Fingerprint.of(new Point(1, 2, "p")));
        assertThat(Fingerprint.of(new ArrayKey(5, 6))).isEqualTo(Fingerprint.of(new ArrayKey(5, 6)));
        assertThat(Fingerprint.of("abcdefghi")).isEqualTo(Fingerprint.of(new String("abcdefghi")));
        Fingerprinted own = () -> 42;
        assertThat(Fingerprint.of(own)).isEqualTo(Fingerprint.of((Fingerprinted) () -> 42))
                .isNotEqualTo(Fingerprint.of((Fingerprinted) () -> 43));
    }

    @Test
    void unequalKeysDiffer() {
        List<Object> keys = List.of(List.of(1, 2), List.of(2, 1), List.of(List.of(1, 2), List.of(3)),
                List.of(List.of(1), List.of(2, 3)), "ab", "ba", "abcd", "abce", "abcde", new long[] {1, 2},
                new long[] {2, 1}, new int[] {1, 2}, new Point(1, 2, "p"), new Point(2, 1, "p"), new Point(1, 2, "q"),
                new ArrayKey(1, 2), new ArrayKey(2, 1), Colour.RED, Colour.GREEN, true, false, Set.of(1, 2),
                Set.of(1, 3), Map.of(1, 2), Map.of(2, 1), new Object[] {null}, new Object[] {}, 7L, 7, 8, 'c', 1.5,
                List.of());
        Set<Long> seen = new HashSet<>();
        for (Object k : keys) {
            seen.add(Fingerprint.of(k));
        }
        assertThat(seen).hasSize(keys.size()).doesNotContain(0L);
    }

    @Test
    void optionalsAndClosedJdkClassesAreFingerprintedByValue() {
        assertThat(Fingerprint.of(java.util.Optional.of(List.of(1)))).isEqualTo(Fingerprint.of(java.util.Optional.of(List.of(1))))
                .isNotEqualTo(Fingerprint.of(java.util.Optional.of(List.of(2))))
                .isNotEqualTo(Fingerprint.of(java.util.Optional.empty()))
                .isNotEqualTo(Fingerprint.of(List.of(1)));
        java.time.Duration a = java.time.Duration.ofMillis(5);
        assertThat(Fingerprint.of(a)).isEqualTo(Fingerprint.of(java.time.Duration.ofNanos(5_000_000)))
                .isNotEqualTo(Fingerprint.of(java.time.Duration.ofMillis(6)));
    }

    @Test
    void aMillionSmallKeysDoNotCollide() {
        Set<Long> seen = new HashSet<>();
        for (int x = 0; x < 1000; x++) {
            for (int y = 0; y < 1000; y++) {
                seen.add(Fingerprint.of(List.of(x, y)));
            }
        }
        assertThat(seen).hasSize(1_000_000);
    }

    @Test
    void fmixIsMurmur3sFinaliser() {
        assertThat(Fingerprint.fmix(0)).isZero();
        assertThat(Fingerprint.fmix(1)).isEqualTo(0xB456BCFC34C2CB2CL);
        assertThat(Fingerprint.mix(0, 1)).isEqualTo(Fingerprint.fmix(0x9E3779B97F4A7C15L));
    }

    @Test
    void storesRejectTheEmptyFingerprintAndBadThresholds() {
        assertThatThrownBy(() -> new FingerprintStore().add(0L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fingerprint 0");
        assertThatThrownBy(() -> StateStore.create(StoreMode.AUTO, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive: 0");
        assertThatThrownBy(() -> StoreMode.parse("bloom")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown state store 'bloom'");
        assertThat(StoreMode.parse(" Fingerprint ")).isEqualTo(StoreMode.FINGERPRINT);
    }

    @Test
    void ofWordsFoldsLikeAWordArrayInsideAKeyWithoutTheWalk() {
        long[] words = {3, -1, 0, 1L << 63};
        // the same folding as the walk gives a long[]: of() adds only its final mix
        assertThat(Fingerprint.fmix(Fingerprint.ofWords(words))).isEqualTo(Fingerprint.of(words));
        assertThat(Fingerprint.ofWords(words.clone())).isEqualTo(Fingerprint.ofWords(words));
        // order, every word, and the length count
        assertThat(Fingerprint.ofWords(new long[] {-1, 3, 0, 1L << 63})).isNotEqualTo(Fingerprint.ofWords(words));
        assertThat(Fingerprint.ofWords(new long[] {3, -1, 0, 1})).isNotEqualTo(Fingerprint.ofWords(words));
        assertThat(Fingerprint.ofWords(new long[] {3, -1, 0})).isNotEqualTo(Fingerprint.ofWords(new long[] {3, -1, 0, 0}));
        assertThat(Fingerprint.ofWords(new long[0])).isNotEqualTo(Fingerprint.ofWords(new long[] {0}));
    }
}
