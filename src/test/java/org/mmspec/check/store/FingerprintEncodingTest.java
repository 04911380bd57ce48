package org.mmspec.check.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.check.store.Fingerprint.fmix;
import static org.mmspec.check.store.Fingerprint.mix;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The fingerprint's encoding, value by value, as {@link Fingerprint}'s class comment states it:
 * each kind of value folds its documented words into the running hash, so a change to any tag,
 * length word or packing shows here (equal keys giving equal fingerprints, which the other tests
 * check, would survive most such changes while silently raising the collision rate).
 */
class FingerprintEncodingTest {

    /** What {@link Fingerprint#of} returns for a key whose walk folds {@code words} in order. */
    private static long folded(long... words) {
        long h = Fingerprint.SEED;
        for (long w : words) {
            h = mix(h, w);
        }
        return fmix(h);
    }

    @Test
    void numbersFoldTheirValueAndAnIntegerCarriesItsTag() {
        assertThat(Fingerprint.of(7L)).isEqualTo(folded(7));
        assertThat(Fingerprint.of(7)).isEqualTo(folded(7 + Fingerprint.INT))
                .isEqualTo(Fingerprint.of(7L + Fingerprint.INT)).isNotEqualTo(Fingerprint.of(7L));
        assertThat(Fingerprint.of((short) 7)).isEqualTo(folded(7));
        assertThat(Fingerprint.of(1.5d)).isEqualTo(folded(Double.doubleToLongBits(1.5d)));
        assertThat(Fingerprint.of('x')).isEqualTo(folded('x'));
        assertThat(Fingerprint.of(true)).isEqualTo(folded(0xB1)).isNotEqualTo(Fingerprint.of(false));
        assertThat(Fingerprint.of(false)).isEqualTo(folded(0xB0));
    }

    @Test
    void aStringFoldsItsTaggedLengthThenFourCharactersPerWord() {
        long abcd = 'a' | (long) 'b' << 16 | (long) 'c' << 32 | (long) 'd' << 48;
        assertThat(Fingerprint.of("abcd")).isEqualTo(folded(4 | Fingerprint.STRING, abcd));
        assertThat(Fingerprint.of("abcde")).isEqualTo(folded(5 | Fingerprint.STRING, abcd, 'e'));
        assertThat(Fingerprint.of("ab")).isEqualTo(folded(2 | Fingerprint.STRING, 'a', 'b'));
        assertThat(Fingerprint.of("")).isEqualTo(folded(Fingerprint.STRING)).isNotEqualTo(Fingerprint.of(List.of()));
        // equal Java hash codes, different strings
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        assertThat(Fingerprint.of("Aa")).isNotEqualTo(Fingerprint.of("BB"));
    }

    @Test
    void arraysFoldTheirTaggedLengthThenEachElement() {
        assertThat(Fingerprint.of(new long[] {5, 6})).isEqualTo(folded(2 | Fingerprint.LONGS, 5, 6));
        assertThat(Fingerprint.of(new int[] {5, 6})).isEqualTo(folded(2 | Fingerprint.INTS, 5, 6));
        assertThat(Fingerprint.of(new Object[] {5L, 6L})).isEqualTo(folded(2 | Fingerprint.OBJECTS, 5, 6));
        // separate instances with equal contents: the walk never uses identity
        assertThat(Fingerprint.of(new long[] {5, 6})).isEqualTo(Fingerprint.of(new long[] {5, 6}));
        assertThat(Fingerprint.of(new int[] {5, 6})).isEqualTo(Fingerprint.of(new int[] {5, 6}));
        assertThat(Fingerprint.of(new Object[] {"a"})).isEqualTo(Fingerprint.of(new Object[] {"a"}));
    }

    @Test
    void aListFoldsItsUntaggedSizeAndOtherCollectionsATaggedOne() {
        assertThat(Fingerprint.of(List.of(5L, 6L))).isEqualTo(folded(2, 5, 6));
        ArrayDeque<Long> deque = new ArrayDeque<>(List.of(5L, 6L));
        assertThat(Fingerprint.of(deque)).isEqualTo(folded(2 | Fingerprint.COLLECTION, 5, 6))
                .isNotEqualTo(Fingerprint.of(List.of(5L, 6L)));
    }

    @Test
    void setsAndMapsAddTheirElementsFingerprintsWhateverTheOrder() {
        long five = fmix(mix(0x53, 5));
        long six = fmix(mix(0x53, 6));
        assertThat(Fingerprint.of(Set.of(5L, 6L))).isEqualTo(fmix(mix(mix(Fingerprint.SEED, 2), five + six)))
                .isEqualTo(Fingerprint.of(new TreeSet<>(List.of(6L, 5L))));
        Map<Long, Long> m = new LinkedHashMap<>();
        m.put(1L, 10L);
        m.put(2L, 20L);
        long entries = fmix(mix(mix(0x4D, 1), 10)) + fmix(mix(mix(0x4D, 2), 20));
        assertThat(Fingerprint.of(m)).isEqualTo(fmix(mix(mix(Fingerprint.SEED, 2), entries)))
                .isEqualTo(Fingerprint.of(Map.of(2L, 20L, 1L, 10L)));
    }

    @Test
    void optionalsEnumsAndNullHaveTheirOwnWords() {
        assertThat(Fingerprint.of(Optional.of(5L))).isEqualTo(folded(Fingerprint.OPTIONAL, 5));
        assertThat(Fingerprint.of(Optional.empty())).isEqualTo(folded(Fingerprint.OPTIONAL + 1));
        assertThat(Fingerprint.of(Thread.State.RUNNABLE)).isEqualTo(folded(Thread.State.RUNNABLE.ordinal() + 0x3E00L));
        assertThat(Fingerprint.of(null)).isEqualTo(folded(0x1F));
        Fingerprinted own = () -> 42L;
        assertThat(Fingerprint.of(own)).isEqualTo(folded(42));
    }

    record Pair(long a, String b) {
    }

    static class Base {
        final long x = 1;
    }

    static final class Derived extends Base {
        final long y = 2;
        static final long IGNORED = 3;
        transient long cache = 4;
    }

    @Test
    void recordsAndClassesFoldTheirPartCountThenEachPart() {
        assertThat(Fingerprint.of(new Pair(5, "ab"))).isEqualTo(folded(2, 5, 2 | Fingerprint.STRING, 'a', 'b'));
        // superclass fields first; static and transient fields are not part of the key
        assertThat(Fingerprint.of(new Derived())).isEqualTo(folded(2, 1, 2));
    }

    @Test
    void aClosedJdkClassFoldsItsNameAndHashCode() {
        java.time.Duration d = java.time.Duration.ofSeconds(3);
        assertThat(Fingerprint.of(d)).isEqualTo(folded(java.time.Duration.class.getName().hashCode(), d.hashCode()));
    }
}
