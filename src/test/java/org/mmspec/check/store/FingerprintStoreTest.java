package org.mmspec.check.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
        assertThat(s.add(new Same(1), 1)).isTrue();
        assertThat(s.add(new Same(2), 1)).as("stored, though the switch it triggered failed").isTrue();
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

    @Test
    void theTableHasAPowerOfTwoOfAtLeast1024SlotsCoveringTheAskedCapacity() {
        assertThat(new FingerprintStore(1).bytes()).isEqualTo(1024 * 8);
        assertThat(new FingerprintStore(1024).bytes()).isEqualTo(1024 * 8);
        assertThat(new FingerprintStore(1025).bytes()).isEqualTo(2048 * 8);
        assertThat(new FingerprintStore(2048).bytes()).as("a power of two stays").isEqualTo(2048 * 8);
        assertThat(new FingerprintStore(3000).bytes()).isEqualTo(4096 * 8);
    }

    @Test
    void aTableAtItsLargestSizeIsFullAtThreeQuarters() {
        FingerprintStore s = new FingerprintStore(1024, 2048);
        long m = 0x9E3779B97F4A7C15L;
        for (long i = 1; i <= 1536; i++) {
            s.add(i * m);
        }
        assertThat(s.bytes()).as("grew once, to the largest size").isEqualTo(2048 * 8);
        assertThat(s.size()).isEqualTo(1536);
        assertThatThrownBy(() -> s.add(1537 * m)).isInstanceOf(IllegalStateException.class)
                .hasMessage("fingerprint table full at 1537 states");
    }

    @Test
    void theHomeSlotFoldsTheHighHalfIntoTheLowBits() {
        int mask = 1023;
        assertThat(FingerprintStore.home(5, mask)).isEqualTo(5);
        assertThat(FingerprintStore.home(5L << 32, mask)).as("high half only").isEqualTo(5);
        assertThat(FingerprintStore.home(5L << 32 | 3, mask)).isEqualTo(6);
        assertThat(FingerprintStore.home(-1L << 32, mask)).isEqualTo(mask);
        assertThat(FingerprintStore.home(1L << 40 | 1L << 8 | 5, mask)).as("equal bits above the mask cancel").isEqualTo(5);
        assertThat(FingerprintStore.home(5L << 32 | 5, mask)).isZero();
        // fingerprints that differ only in their high half still spread over the whole table
        Set<Integer> homes = new HashSet<>();
        for (long k = 0; k <= mask; k++) {
            homes.add(FingerprintStore.home(k << 32, mask));
        }
        assertThat(homes).hasSize(mask + 1);
    }

    @Test
    void keyedCallsUseTheGivenFingerprintAndFingerprintTheKeyOnlyWhenGivenZero() {
        FingerprintStore s = new FingerprintStore();
        assertThat(s.needsFingerprints()).isTrue();
        assertThat(s.add("k", 5)).isTrue();
        assertThat(s.contains(5)).isTrue();
        assertThat(s.contains(Fingerprint.of("k"))).isFalse();
        assertThat(s.contains("k", 0)).isFalse();
        assertThat(s.add("another key", 5)).as("the same fingerprint is a known state").isFalse();
        assertThat(s.add("k", 0)).isTrue();
        assertThat(s.contains(Fingerprint.of("k"))).isTrue();
        assertThat(s.contains("k", 0)).isTrue();
        assertThat(s.add("k", 0)).isFalse();
        assertThat(s.size()).isEqualTo(2);
    }

    @Test
    void theObservedEstimateUsesTheSmallestGapInSortedOrderNotTableOrder() {
        FingerprintStore s = new FingerprintStore();
        // home slots 976, 1000, 1001 keep the table in the order 2000, 1000, 2025; sorted they are
        // 1000, 2000, 2025, whose smallest gap (25) is not the first (1000)
        s.add(2025);
        s.add(1000);
        s.add(2000);
        assertThat(FingerprintStore.home(2000, 1023)).isLessThan(FingerprintStore.home(1000, 1023));
        assertThat(s.collisions(3).observed()).isEqualTo(1.0 / 25);
        assertThat(s.collisions(3).optimistic()).isZero();
    }

    @Test
    void theExactStoreFindsAKeyItHoldsWhateverTheFingerprintAndNoOther() {
        StateStore s = StateStore.create(StoreMode.EXACT, 1);
        assertThat(s.contains("a", 7)).isFalse();
        assertThat(s.add("a", 7)).isTrue();
        assertThat(s.contains("a", 8)).isTrue();
        assertThat(s.contains("b", 7)).as("the same fingerprint, another key").isFalse();
        assertThat(s.size()).isEqualTo(1);
    }

    @Test
    void anAutoStoreComparesKeysBeforeItsSwitchAndFingerprintsAfter() {
        StateStore s = StateStore.create(StoreMode.AUTO, 2);
        assertThat(s.needsFingerprints()).isFalse();
        assertThat(s.size()).isZero();
        assertThat(s.contains("a", Fingerprint.of("a"))).isFalse();
        assertThat(s.add("a", Fingerprint.of("a"))).isTrue();
        assertThat(s.contains("a", 12345)).as("exact: the key counts, not the fingerprint").isTrue();
        assertThat(s.contains("b", Fingerprint.of("a"))).isFalse();
        assertThat(s.add("b", Fingerprint.of("b"))).isTrue();
        assertThat(s.needsFingerprints()).isTrue();
        assertThat(s.contains("b", 12345)).as("fingerprints now: the key is ignored").isFalse();
        assertThat(s.contains("x", Fingerprint.of("b"))).isTrue();
        assertThat(s.add("y", Fingerprint.of("a"))).as("a known fingerprint").isFalse();
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.collisions(5).optimistic()).isEqualTo(2.0 * 3 / 0x1p64);
    }

    @Test
    void anAutoStoreWithThresholdOneSwitchesAtItsFirstState() {
        StateStore s = StateStore.create(StoreMode.AUTO, 1);
        assertThat(s.kind()).isEqualTo("exact");
        assertThat(s.add(List.of(1), Fingerprint.of(List.of(1)))).isTrue();
        assertThat(s.kind()).isEqualTo("fingerprint");
        assertThat(s.size()).isEqualTo(1);
    }

    @Test
    void aSwitchSizesTheTableForTwiceTheStatesItHolds() {
        StateStore s = StateStore.create(StoreMode.AUTO, 600);
        for (int i = 0; i < 600; i++) {
            s.add(i, Fingerprint.of(i));
        }
        assertThat(s.kind()).isEqualTo("fingerprint");
        assertThat(s.size()).isEqualTo(600);
        assertThat(s.bytes()).as("1200 slots, rounded up").isEqualTo(2048 * 8);
    }

    @Test
    void theObservedEstimateReadsGapsAsUnsignedNumbersRoundedOnce() {
        // 2^54 + 3 is nearer 2^54 + 4 than 2^54; halving it first would round to 2^54
        long odd = (1L << 54) + 3;
        assertThat(CollisionEstimate.of(2, 2, odd).observed()).isEqualTo(1.0 / odd).isEqualTo(1.0 / ((1L << 54) + 4));
        assertThat(CollisionEstimate.of(2, 2, Long.MIN_VALUE).observed()).as("2^63, unsigned").isEqualTo(0x1p-63);
        assertThat(CollisionEstimate.of(2, 2, 7).observed()).isEqualTo(1.0 / 7);
    }
}
