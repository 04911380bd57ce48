package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;

/**
 * For random boot memory maps (random kinds, nodes and gaps, frames at and below 1 MiB included):
 * every frame of a node's managed range is either usable RAM of that node outside the BIOS area,
 * or in exactly one reserved region; and a hybrid built from the map hands out only such RAM.
 */
class BootMemoryMapPropertyTest {
    private static final long BIOS_FRAMES = ReservedRegion.BIOS_AREA_END.value() / PhysFrame.SIZE;

    @Test
    void reservedRegionsCoverExactlyTheFramesThatAreNotUsableRam() {
        CheckSettings settings = CheckSettings.defaults();
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        for (int run = 0; run < settings.runs(); run++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            List<MemoryRegion> entries = new ArrayList<>();
            long cursor = rnd.nextLong(0, 2 * BIOS_FRAMES);
            int n = rnd.nextInt(1, 8);
            for (int i = 0; i < n; i++) {
                long len = rnd.nextLong(1, BIOS_FRAMES);
                MemoryRegion.Kind kind = i == 0 ? MemoryRegion.Kind.USABLE : MemoryRegion.Kind.values()[rnd.nextInt(MemoryRegion.Kind.values().length)];
                entries.add(MemoryRegion.of(cursor * PhysFrame.SIZE, (cursor + len) * PhysFrame.SIZE, kind, rnd.nextInt(2)));
                cursor += len + (rnd.nextBoolean() ? 0 : rnd.nextLong(1, 64));
            }
            java.util.Collections.shuffle(entries, new java.util.Random(seed));
            BootMemoryMap map = new BootMemoryMap(entries);
            for (int node : map.nodes()) {
                FrameRange m = map.managedRange(node);
                List<ReservedRegion> reserved = map.reservedRegions(node);
                for (long f = m.start().number(); f < m.endNumber(); f++) {
                    long frame = f;
                    boolean usable = f >= BIOS_FRAMES && map.regions().stream()
                            .anyMatch(r -> r.usable() && r.node() == node && r.frames().contains(PhysFrame.of(frame)));
                    long covering = reserved.stream().filter(r -> r.contains(PhysFrame.of(frame))).count();
                    assertThat(covering).as("seed %d node %d frame#%d usable=%s in %s", seed, node, f, usable, map)
                            .isEqualTo(usable ? 0 : 1);
                }
                assertThat(map.usableFrames(node)).isEqualTo(m.count() - ReservedRegion.totalFrames(reserved));
            }
        }
    }
}
