package org.mmspec.check.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class FingerprintStoreTest {

    @Test
    void addsEachFingerprintOnceAndFindsItAfterGrowing() {
        FingerprintStore s = new FingerprintStore();
        assertThat(s.bytes()).isEqualTo(1024 * 8);
        SplittableRandom r = new SplittableRandom(7);
        long[] fps = new long[5000];
        for (int i = 0; i < fps.length; i++) {
            fps[i] = r.nextLong() | 1;
            assertThat(s.contains(fps[i])).isFalse();
            assertThat(s.add(fps[i])).isTrue();
        }
        for (long fp : fps) {
            assertThat(s.contains(fp)).isTrue();
            assertThat(s.add(fp)).isFalse();
        }
        assertThat(s.size()).isEqualTo(5000);
        // 5000 > 0.75 * 4096, so the table doubled to 8192 slots
        assertThat(s.bytes()).isEqualTo(8192 * 8);
        assertThat(s.kind()).isEqualTo("fingerprint");
    }

    @Test
    void growsExactlyAtThreeQuarters() {
        FingerprintStore s = new FingerprintStore(1024);
        for (long i = 1; i <= 768; i++) {
            s.add(i * 0x9E3779B97F4A7C15L);
        }
        assertThat(s.bytes()).isEqualTo(1024 * 8);
        s.add(769 * 0x9E3779B97F4A7C15L);
        assertThat(s.bytes()).isEqualTo(2048 * 8);
    }

    @Test
    void linearProbingKeepsFingerprintsThatShareAHomeSlot() {
        FingerprintStore s = new FingerprintStore(1024);
        // equal low bits of (fp ^ fp >>> 32): all go to slot 5, then 6, 7, ...
        long a = 5;
        long b = 5L << 32 | 0; // (b ^ b>>>32) & 1023 = 5
        long c = (1L << 40) | (1L << 8) | 5; // high bits cancel outside the mask
        assertThat(s.add(a)).isTrue();
        assertThat(s.add(b)).isTrue();
        assertThat(s.contains(c)).isFalse();
        assertThat(s.add(c)).isTrue();
        assertThat(List.of(s.contains(a), s.contains(b), s.contains(c))).containsOnly(true);
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void collisionEstimateFollowsTlcsFormulas() {
        FingerprintStore s = new FingerprintStore();
        s.add(100);
        s.add(130);
        s.add(-5); // the largest unsigned value: gap to 130 is huge, not negative
        s.add(110);
        CollisionEstimate e = s.collisions(10);
        assertThat(e.observed()).isEqualTo(1.0 / 10);
        assertThat(e.optimistic()).isEqualTo(4.0 * 6 / 0x1p64);
        assertThat(e.render()).contains("1.0e-01 (1/min gap)", "(optimistic n(g-n)/2^64)");
        assertThat(new FingerprintStore().collisions(0).observed()).isZero();
        assertThat(CollisionEstimate.of(3, 2, -1).optimistic()).isZero();
        assertThat(CollisionEstimate.of(3, 2, -1).observed()).isEqualTo(1 / 0x1p64);
    }

    @Test
    void autoStoreIsExactUntilItsThresholdThenFingerprints() {
        StateStore s = StateStore.create(StoreMode.AUTO, 3);
        assertThat(s.add("a", Fingerprint.of("a"))).isTrue();
        assertThat(s.add("a", Fingerprint.of("a"))).isFalse();
        assertThat(s.add("b", Fingerprint.of("b"))).isTrue();
        assertThat(s.kind()).isEqualTo("exact");
        assertThat(s.bytes()).isEqualTo(-1);
        assertThat(s.collisions(5)).isNull();
        assertThat(s.add("c", Fingerprint.of("c"))).isTrue();
        assertThat(s.kind()).isEqualTo("fingerprint");
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.bytes()).isEqualTo(1024 * 8);
        for (String k : List.of("a", "b", "c")) {
            assertThat(s.contains(null, Fingerprint.of(k))).as(k).isTrue();
        }
        assertThat(s.add("d", Fingerprint.of("d"))).isTrue();
        assertThat(s.contains(null, Fingerprint.of("e"))).isFalse();
        assertThat(s.collisions(5)).isNotNull();
    }

    @Test
    void autoStoreStaysExactWhenTwoKeysShareAFingerprint() {
        StateStore s = StateStore.create(StoreMode.AUTO, 2);
        s.add(new Same(1), 1);
        s.add(new Same(2), 1);
        assertThat(s.kind()).isEqualTo("exact");
        assertThat(s.contains(new Same(2), 1)).isTrue();
        assertThat(s.contains(new Same(3), 1)).isFalse();
        s.add(new Same(3), 1);
        assertThat(s.kind()).isEqualTo("exact");
        assertThat(s.size()).isEqualTo(3);
    }

    /** Distinct keys whose fingerprints all collide. */
    record Same(int v) implements Fingerprinted {
        @Override
        public long fingerprint() {
            return 99;
        }
    }

    @Test
    void theExactStoreKeepsKeysAsObjectsAndNeedsNoFingerprints() {
        StateStore s = StateStore.create(StoreMode.EXACT, 1);
        assertThat(s.kind()).isEqualTo("exact");
        assertThat(s.needsFingerprints()).isFalse();
        // fingerprints are ignored: two keys with the same fingerprint are both kept
        assertThat(s.add("a", 7)).isTrue();
        assertThat(s.add("b", 7)).isTrue();
        assertThat(s.add("a", 9)).isFalse();
        assertThat(s.contains("b", 0)).isTrue();
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.bytes()).as("no table: keys are objects").isEqualTo(-1);
        assertThat(s.collisions(5)).isNull();
    }
}
