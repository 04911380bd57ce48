package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The twelve size classes at their exact edges: which class a request of each boundary size
 * lands in, and each class's slab geometry (frames, objects, alignment) and label.
 */
class SizeClassTest {

    @Test
    void eachClassHoldsExactlyTheSizesAboveTheClassBelowUpToItsOwnSize() {
        SizeClass[] all = SizeClass.values();
        for (int k = 0; k < all.length; k++) {
            SizeClass c = all[k];
            long lowest = k == 0 ? 1 : all[k - 1].bytes() + 1;
            assertThat(SizeClass.fitting(lowest)).as("%d bytes", lowest).isEqualTo(c);
            assertThat(SizeClass.fitting(c.bytes())).as("%d bytes", c.bytes()).isEqualTo(c);
            assertThat(SizeClass.fitting(c.bytes() + 1)).as("%d bytes", c.bytes() + 1)
                    .isEqualTo(k + 1 < all.length ? all[k + 1] : null);
        }
    }

    @Test
    void sizesOutsideOneByteTo16KiBFitNoClass() {
        assertThat(SizeClass.fitting(0)).isNull();
        assertThat(SizeClass.fitting(-8)).isNull();
        assertThat(SizeClass.fitting(Long.MIN_VALUE)).isNull();
        assertThat(SizeClass.fitting(SizeClass.MAX_BYTES)).isEqualTo(SizeClass.B16K);
        assertThat(SizeClass.fitting(SizeClass.MAX_BYTES + 1)).isNull();
        assertThat(SizeClass.fitting(Long.MAX_VALUE)).isNull();
    }

    @Test
    void objectSizesAreEightShiftedByTheOrdinal() {
        long[] expected = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
        for (SizeClass c : SizeClass.values()) {
            assertThat(c.bytes()).isEqualTo(expected[c.ordinal()]);
        }
        assertThat(SizeClass.MIN_BYTES).isEqualTo(8);
        assertThat(SizeClass.MAX_BYTES).isEqualTo(16384);
    }

    @Test
    void slabGeometryPerClass() {
        // frames: max(1, 2 * bytes / 4096); objects: frames * 4096 / bytes; alignment: max(1, bytes / 4096).
        int[] frames = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8};
        int[] objects = {512, 256, 128, 64, 32, 16, 8, 4, 2, 2, 2, 2};
        int[] align = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4};
        for (SizeClass c : SizeClass.values()) {
            assertThat(c.slabFrames()).as("%s frames", c).isEqualTo(frames[c.ordinal()]);
            assertThat(c.objectsPerSlab()).as("%s objects", c).isEqualTo(objects[c.ordinal()]);
            assertThat(c.alignFrames()).as("%s alignment", c).isEqualTo(align[c.ordinal()]);
            assertThat(c.objectsPerSlab()).isGreaterThanOrEqualTo(SizeClass.MIN_OBJECTS_PER_SLAB);
        }
    }

    @Test
    void labelsAreBytesBelowOneKiBAndKiBFromOneKiB() {
        String[] labels = {"8", "16", "32", "64", "128", "256", "512", "1K", "2K", "4K", "8K", "16K"};
        for (SizeClass c : SizeClass.values()) {
            assertThat(c.label()).isEqualTo(labels[c.ordinal()]);
        }
    }

    @Test
    void ofBytesNamesOnlyExactClassSizes() {
        for (SizeClass c : SizeClass.values()) {
            assertThat(SizeClass.ofBytes(c.bytes())).isEqualTo(c);
            assertThat(SizeClass.ofBytes(c.bytes() - 1)).as("%d", c.bytes() - 1).isNull();
            assertThat(SizeClass.ofBytes(c.bytes() + 1)).as("%d", c.bytes() + 1).isNull();
        }
        assertThat(SizeClass.ofBytes(0)).isNull();
        assertThat(SizeClass.ofBytes(32768)).isNull();
    }
}
