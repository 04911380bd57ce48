package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void everyIndexRunsExactlyOnceOnAnyNumberOfThreads() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Workers w = new Workers(threads)) {
                assertThat(w.threads()).isEqualTo(threads);
                for (int n : new int[] {0, 1, 7, 8, 9, 1000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    w.forEach(n, 8, hits::incrementAndGet);
                    for (int i = 0; i < n; i++) {
                        assertThat(hits.get(i)).as("threads %d, n %d, index %d", threads, n, i).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void aFailureOnAnyWorkerReachesTheCaller() {
        try (Workers w = new Workers(3)) {
            assertThatThrownBy(() -> w.forEach(1000, 4, i -> {
                if (i == 999) {
                    throw new IllegalStateException("index " + i);
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("index 999");
            assertThatThrownBy(() -> w.forEach(100, 4, i -> {
                if (i == 50) {
                    throw new StackOverflowError("deep");
                }
            })).isInstanceOf(StackOverflowError.class).hasMessage("deep");
        }
        assertThatThrownBy(() -> new Workers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be positive: 0");
    }
}
