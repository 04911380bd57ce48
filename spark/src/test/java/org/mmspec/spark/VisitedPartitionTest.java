package org.mmspec.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VisitedPartitionTest {
    @Test
    void plusLeavesThePartitionItCopiedAsItWas() {
        VisitedPartition before = new VisitedPartition().plus(new long[] {5, 9}, new long[] {0, 5}, new int[] {-1, 3}, 2);
        VisitedPartition after = before.plus(new long[] {11}, new long[] {9}, new int[] {0}, 1);
        assertThat(before.size()).isEqualTo(2);
        assertThat(before.contains(11)).isFalse();
        assertThat(after.size()).isEqualTo(3);
        assertThat(after.entry(11)).containsExactly(9, 0);
        assertThat(after.entry(9)).containsExactly(5, 3);
        assertThat(after.entry(12)).isNull();
    }

    @Test
    void growsPastThreeQuartersAndKeepsEveryEntry() {
        VisitedPartition v = new VisitedPartition();
        int n = 10_000;
        long[] fps = new long[n];
        long[] parents = new long[n];
        int[] ordinals = new int[n];
        for (int i = 0; i < n; i++) {
            fps[i] = (i + 1) * 0x9E3779B97F4A7C15L; // never 0
            parents[i] = i;
            ordinals[i] = i % 7;
        }
        v = v.plus(fps, parents, ordinals, n);
        assertThat(v.size()).isEqualTo(n);
        assertThat(v.bytes()).isGreaterThanOrEqualTo(n * 20L * 4 / 3);
        for (int i = 0; i < n; i++) {
            assertThat(v.entry(fps[i])).containsExactly(i, i % 7);
        }
    }

    @Test
    void fingerprintZeroIsAStateLikeAnyOther() {
        VisitedPartition v = new VisitedPartition().plus(new long[] {0}, new long[] {7}, new int[] {2}, 1);
        assertThat(v.contains(0)).isTrue();
        assertThat(v.entry(0)).containsExactly(7, 2);
        assertThat(v.size()).isEqualTo(1);
    }

    @Test
    void aFingerprintStoredTwiceIsAnEngineError() {
        VisitedPartition v = new VisitedPartition().plus(new long[] {3}, new long[] {0}, new int[] {-1}, 1);
        assertThatThrownBy(() -> v.plus(new long[] {3}, new long[] {1}, new int[] {0}, 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stored twice");
    }

    @Test
    void mergeKeepsTheLeastParentAndTransitionWhateverTheOrderAndSumsTheTransitions() {
        byte[] a = LevelPart.candidate(10, 4, 1, new byte[] {1});
        byte[] b = LevelPart.candidate(10, 2, 2, new byte[] {2});
        byte[] c = LevelPart.candidate(-1, 0, 3, new byte[] {3}); // unsigned: the largest parent
        for (byte[] m : new byte[][] {LevelPart.merge(LevelPart.merge(a, b), c), LevelPart.merge(c, LevelPart.merge(b, a))}) {
            assertThat(LevelPart.parent(m)).isEqualTo(10);
            assertThat(LevelPart.ordinal(m)).isEqualTo(2);
            assertThat(LevelPart.weight(m)).isEqualTo(6);
            assertThat(m[LevelPart.HEADER]).isEqualTo((byte) 2);
        }
        assertThat(LevelPart.weight(a)).as("inputs unchanged").isEqualTo(1);
    }
}
