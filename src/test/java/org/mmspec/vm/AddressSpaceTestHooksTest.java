package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Access;

/**
 * The corruption hooks the negative tests of the invariants rely on do exactly what they say:
 * {@code corruptPutPteEverywhere} replaces a present page's translation in the record and the
 * real page table alike (and installs one where none was), {@code corruptClearAreas} leaves no
 * area.
 */
class AddressSpaceTestHooksTest extends AddressSpaceFixture {
    @Test
    void corruptPutPteEverywhereReplacesOrInstallsTheTranslationInTheRecordAndTheHardware() {
        VmSystem sys = VmSystem.of(Layout.small(64), 40);
        as = sys.space(0);
        fixed(10, 2, Prot.RW);
        write(10, 3);
        PhysFrame other = sys.frames().allocator().allocate();
        sys.frames().memory().write64(other.start(), 44);
        as.corruptPutPteEverywhere(10, new Pte(other, true, false, false));
        assertThat(as.translation(10).orElseThrow().frame()).isEqualTo(other);
        assertThat(as.load(10)).as("the hardware walk reaches the new frame").isEqualTo(44);
        assertThat(as.hardwareAllows(10, Access.userWrite())).isFalse();
        as.corruptPutPteEverywhere(11, new Pte(other, true, true, false));
        assertThat(as.hardwareAllows(11, Access.userWrite())).as("installed where nothing was").isTrue();
        assertThat(as.load(11)).isEqualTo(44);
    }

    @Test
    void corruptClearAreasLeavesNoArea() {
        VmSystem sys = VmSystem.of(Layout.small(64), 40);
        as = sys.space(0);
        fixed(10, 2, Prot.RW);
        assertThat(as.areas()).isNotEmpty();
        as.corruptClearAreas();
        assertThat(as.areas()).isEmpty();
    }
}
