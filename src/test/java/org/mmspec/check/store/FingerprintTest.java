package org.mmspec.check.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmspec.check.store.keys.HiddenKeys;
import org.mmspec.check.store.keys.Opened;

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

    record One(int v) {
    }

    /**
     * The {@code keys} package loaded afresh: PIT hot-swaps each mutant into a JVM that keeps
     * {@code Fingerprint}'s cache of the classes it walked before, so a case that must see the
     * walk computed runs it on classes of a new loader.
     */
    private static final class FreshKeys {
        private final Class<?> keys;

        FreshKeys() throws Exception {
            URL classes = HiddenKeys.class.getProtectionDomain().getCodeSource().getLocation();
            ClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
            keys = loader.loadClass(HiddenKeys.class.getName());
            assertThat(keys).isNotSameAs(HiddenKeys.class);
        }

        Object make(String factory, Object... args) throws Exception {
            for (Method m : keys.getMethods()) {
                if (m.getName().equals(factory)) {
                    return m.invoke(null, args);
                }
            }
            throw new IllegalArgumentException(factory);
        }

        long of(String factory, Object... args) throws Exception {
            return Fingerprint.of(make(factory, args));
        }
    }

    @Test
    void ofNeverReturnsZeroWhichMarksAnEmptySlot() {
        long m = 0x9E3779B97F4A7C15L;
        long inverse = m; // Newton's iteration for m^-1 mod 2^64: each step doubles the correct bits
        for (int i = 0; i < 6; i++) {
            inverse *= 2 - m * inverse;
        }
        assertThat(m * inverse).isEqualTo(1);
        // the walk folds x into SEED as fmix(SEED + x m), which is fmix(0) = 0 for this x
        long x = -Fingerprint.SEED * inverse;
        assertThat(Fingerprint.mix(Fingerprint.SEED, x)).isZero();
        assertThat(Fingerprint.of((Fingerprinted) () -> x)).isEqualTo(m);
    }

    @Test
    void floatingPointNumbersCountWithTheirFraction() {
        assertThat(Fingerprint.of(1.5)).isNotEqualTo(Fingerprint.of(1.25)).isNotEqualTo(Fingerprint.of(1L));
        assertThat(Fingerprint.of(1.5f)).isNotEqualTo(Fingerprint.of(1.25f)).isNotEqualTo(Fingerprint.of(1L));
        assertThat(Fingerprint.of((short) 3)).isEqualTo(Fingerprint.of((byte) 3)).isEqualTo(Fingerprint.of(3L));
    }

    @Test
    void aClassKeyIsWalkedByItsFieldsNotByItsHashCode() throws Exception {
        FreshKeys k = new FreshKeys();
        assertThat(k.make("fields", 1, "x")).isEqualTo(k.make("fields", 1, "x")).hasSameHashCodeAs(k.make("fields", 2, "x"));
        assertThat(k.of("fields", 1, "x")).isEqualTo(k.of("fields", 1, "x")).isNotEqualTo(k.of("fields", 2, "x"))
                .isNotEqualTo(k.of("fields", 1, "y"));
    }

    @Test
    void aRecordKeyIsWalkedByItsComponents() throws Exception {
        FreshKeys k = new FreshKeys();
        assertThat(k.of("record", 1)).isEqualTo(k.of("record", 1)).isEqualTo(Fingerprint.of(new One(1)))
                .isNotEqualTo(k.of("record", 2));
    }

    @Test
    void inheritedFieldsComeFirstAndCount() throws Exception {
        FreshKeys k = new FreshKeys();
        // the class itself is not folded in: a superclass's fields then the class's own, in order
        assertThat(k.of("derived", 1, 2)).isEqualTo(k.of("flat", 1, 2)).isNotEqualTo(k.of("flat", 2, 1))
                .isNotEqualTo(k.of("derived", 3, 2));
    }

    @Test
    void staticAndTransientFieldsAreNotPartOfTheKey() throws Exception {
        FreshKeys k = new FreshKeys();
        Object a = k.make("withExtras", 4, 10);
        long before = Fingerprint.of(a);
        k.make("withExtras", 5, 0); // changes the static count
        k.make("setCache", a, 11);
        assertThat(Fingerprint.of(a)).isEqualTo(before).isEqualTo(k.of("withExtras", 4, 99))
                .as("one field, like a one-component record").isEqualTo(Fingerprint.of(new One(4)))
                .isNotEqualTo(k.of("withExtras", 5, 10));
    }

    @Test
    void aClassOfANamedModuleThatOpensItsPackageIsWalkedByFields(@TempDir Path dir) throws Exception {
        // an automatic module (a plain jar on a module path) opens every package
        Path jar = dir.resolve("mmspec-opened.jar");
        String entry = Opened.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                InputStream in = Opened.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(jar), ModuleFinder.of(), Set.of("mmspec.opened"));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        Class<?> type = layer.findLoader("mmspec.opened").loadClass(Opened.class.getName());
        assertThat(type.getModule().isNamed()).isTrue();
        assertThat(type.getModule().isOpen(type.getPackageName(), Fingerprint.class.getModule())).isTrue();
        Object one = type.getConstructor(int.class).newInstance(1);
        Object alsoOne = type.getConstructor(int.class).newInstance(1);
        Object two = type.getConstructor(int.class).newInstance(2);
        assertThat(one).isEqualTo(alsoOne).hasSameHashCodeAs(two).isNotEqualTo(two);
        assertThat(Fingerprint.of(one)).isEqualTo(Fingerprint.of(alsoOne)).isNotEqualTo(Fingerprint.of(two))
                .isEqualTo(Fingerprint.of(new One(1)));
    }
}
