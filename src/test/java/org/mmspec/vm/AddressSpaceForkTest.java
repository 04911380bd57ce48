package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;

/**
 * A fork that runs out of frames for the child's page tables changes nothing at all (ATOMIC-1):
 * the child's tables are zeroed as they are allocated, and the failed fork puts back what those
 * frames held while free, stale words included.
 */
class AddressSpaceForkTest {
    private static final long P = Vma.PAGE_SIZE;

    @Test
    void aForkWithoutFramesForTheChildsTablesRestoresTheStaleContentsOfTheFramesItTook() {
        VmSystem sys = VmSystem.of(Layout.small(64), 12);
        AddressSpace as = sys.space(0);
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        for (long q = 10; q < 14; q++) {
            PageFaultHandler.access(as, FaultAddr.ofPage(q), Access.WRITE);
            as.store(q, 0x5000 + q);
        }
        List<PhysFrame> stale = List.of(as.translation(12).orElseThrow().frame(), as.translation(13).orElseThrow().frame());
        while (sys.frames().allocator().freeFrames() > 0) {
            sys.frames().allocator().allocate();
        }
        as.munmap(UserAddr.ofPage(12), 2 * P);
        assertThat(sys.frames().allocator().freeFrames()).as("only the two stale frames are free").isEqualTo(2);
        Object before = sys.key();
        assertThatThrownBy(as::fork).hasMessageContaining("no frame for the child's page tables").isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY);
            assertThat(e.errno()).isEqualTo("ENOMEM");
        });
        for (PhysFrame f : stale) {
            long q = f.equals(stale.get(0)) ? 12 : 13;
            assertThat(sys.frames().memory().read64(f.start())).as("frame %s keeps its stale word", f).isEqualTo(0x5000 + q);
        }
        assertThat(sys.key()).isEqualTo(before);
        assertThat(as.load(11)).isEqualTo(0x5000 + 11);
    }
}
