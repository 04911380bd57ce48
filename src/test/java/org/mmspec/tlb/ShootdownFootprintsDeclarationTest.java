package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.PartialOrder;

/**
 * The exact footprints {@link ShootdownFootprints} declares, variable by variable, as its Javadoc
 * and comments give them: a kernel step reads the shared part, every CPU's operation (the page lock
 * and a target's invalidation read other CPUs' requests) and its own CPU's fields, and writes the
 * shared part, the ghost, every acknowledgement set and mailbox (SEND_IPIS and ACK write other
 * CPUs') and its own operation, IPI service, generation and TLB; the release reads the frames and
 * every generation and writes the frames; the hardware reads the page table and every TLB and
 * writes the TLBs. Every variable is visible. {@link ShootdownFootprintsTest} checks that the
 * declared writes cover what the steps write.
 */
class ShootdownFootprintsDeclarationTest {
    private static final int TLB = 0;
    private static final int OP = 1;
    private static final int ACKS = 2;
    private static final int MAILBOX = 3;
    private static final int SERVE = 4;
    private static final int LOCAL_GEN = 5;
    private static final long SHARED = ShootdownFootprints.PT | ShootdownFootprints.FRAMES | ShootdownFootprints.GEN;

    private static long bit(int cpu, int field) {
        return 1L << (4 + 6 * cpu + field);
    }

    private static long all(int cpus, int field) {
        long m = 0;
        for (int c = 0; c < cpus; c++) {
            m |= bit(c, field);
        }
        return m;
    }

    @Test
    void eachProcessDeclaresExactlyWhatItReadsAndWrites() {
        for (int cpus = 1; cpus <= 6; cpus++) {
            ShootdownFootprints f = new ShootdownFootprints(cpus);
            assertThat(f.processes()).isEqualTo(cpus + 1);
            for (int c = 0; c < cpus; c++) {
                long reads = SHARED | all(cpus, OP) | bit(c, ACKS) | bit(c, MAILBOX) | bit(c, SERVE) | bit(c, LOCAL_GEN)
                        | bit(c, TLB);
                long writes = SHARED | ShootdownFootprints.GHOST | bit(c, OP) | all(cpus, ACKS) | all(cpus, MAILBOX)
                        | bit(c, SERVE) | bit(c, LOCAL_GEN) | bit(c, TLB);
                assertThat(f.laterReads(null, c)).as("%d CPUs, cpu%d reads", cpus, c).isEqualTo(reads);
                assertThat(f.nextReads(null, c)).isEqualTo(reads);
                assertThat(f.laterWrites(null, c)).as("%d CPUs, cpu%d writes", cpus, c).isEqualTo(writes);
                assertThat(f.nextWrites(null, c)).isEqualTo(writes);
            }
            assertThat(f.laterReads(null, cpus)).as("release reads").isEqualTo(ShootdownFootprints.FRAMES | all(cpus, LOCAL_GEN));
            assertThat(f.laterWrites(null, cpus)).as("release writes").isEqualTo(ShootdownFootprints.FRAMES);
            assertThat(f.laterReads(null, PartialOrder.ENVIRONMENT)).as("hardware reads")
                    .isEqualTo(ShootdownFootprints.PT | all(cpus, TLB));
            assertThat(f.laterWrites(null, PartialOrder.ENVIRONMENT)).as("hardware writes").isEqualTo(all(cpus, TLB));
            assertThat(f.visible()).as("every variable is visible").isEqualTo((1L << (4 + 6 * cpus)) - 1);
        }
    }
}
