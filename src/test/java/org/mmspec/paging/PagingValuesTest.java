package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The small value types of the paging chapter at their boundaries (flags, addresses, pages, page
 * sizes, permissions, accesses), simulated memory's copy-on-write frames and canonical snapshots,
 * and the MMU's access check with each fault and its reason.
 */
class PagingValuesTest {

    @Test
    void pageFlagsNamesAndPredicates() {
        assertThat(PageFlags.ALL.bits()).isEqualTo(0x1FF);
        assertThat(PageFlags.ALL).hasToString("PRESENT|WRITABLE|USER|WRITE_THROUGH|NO_CACHE|ACCESSED|DIRTY|GLOBAL|NO_EXECUTE");
        assertThat(PageFlags.NONE).hasToString("NONE");
        assertThatThrownBy(() -> new PageFlags(0x200)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown page flag bits 0x200");
        assertThat(PageFlags.readOnly()).isEqualTo(new PageFlags(0x101));
        assertThat(PageFlags.readWrite()).isEqualTo(new PageFlags(0x103));
        assertThat(PageFlags.readExecute()).isEqualTo(PageFlags.PRESENT);
        assertThat(PageFlags.of(PageFlags.WRITABLE).executable()).as("not present: executes nothing").isFalse();
        assertThat(PageFlags.of(PageFlags.WRITABLE).writableAndExecutable()).isFalse();
        assertThat(PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE).writableAndExecutable()).isTrue();
        assertThat(PageFlags.readWrite().writableAndExecutable()).isFalse();
        assertThat(PageFlags.readWrite().contains(PageFlags.of(PageFlags.PRESENT, PageFlags.USER))).isFalse();
        assertThat(PageFlags.readWrite().without(PageFlags.WRITABLE)).isEqualTo(PageFlags.readOnly());
        assertThat(PageFlags.of()).isEqualTo(PageFlags.NONE);
    }

    @Test
    void virtualAddressesAndPages() {
        assertThat(VirtAddr.isCanonical(0x0000_7FFF_FFFF_FFFFL, 48)).isTrue();
        assertThat(VirtAddr.isCanonical(0x0000_8000_0000_0000L, 48)).isFalse();
        assertThat(VirtAddr.isCanonical(0xFFFF_8000_0000_0000L, 48)).isTrue();
        assertThat(VirtAddr.isCanonical(0x0000_0040_0000_0000L, 39)).isFalse();
        assertThat(VirtAddr.of(0x1234_5678L).bits(12, 9)).isEqualTo(0x145);
        assertThat(VirtAddr.of(0x2000).isAligned(0x2000)).isTrue();
        assertThat(VirtAddr.of(0x3000).isAligned(0x2000)).isFalse();
        assertThat(VirtAddr.of(0x3fff).alignDown(0x2000)).isEqualTo(VirtAddr.of(0x2000));
        assertThat(VirtAddr.of(-4096).compareTo(VirtAddr.of(4096))).as("unsigned: the kernel half sorts last").isPositive();
        assertThat(VirtAddr.of(-1).isUpperHalf()).isTrue();
        assertThat(VirtAddr.of(0).isUpperHalf()).isFalse();
        assertThatThrownBy(() -> Page.of(0x1000, PageSize.MIB_2)).isInstanceOf(PagingError.class)
                .hasMessage("0x0000000000001000 is not aligned to 2 MiB");
        Page p = Page.of(0x20_0000, PageSize.MIB_2);
        assertThat(p.lastByte()).isEqualTo(0x3F_FFFFL);
        assertThat(p.contains(VirtAddr.of(0x3F_FFFF))).isTrue();
        assertThat(p.contains(VirtAddr.of(0x40_0000))).isFalse();
        assertThat(p.contains(VirtAddr.of(0x1F_FFFF))).isFalse();
        assertThat(p.contains(Page.of4k(0x3F_F000))).isTrue();
        assertThat(p.contains(Page.of(0x20_0000, PageSize.GIB_1.equals(PageSize.GIB_1) ? PageSize.MIB_2 : PageSize.KIB_4))).isTrue();
        assertThat(Page.of4k(0x3F_F000).contains(p)).isFalse();
        assertThat(p.overlaps(Page.of4k(0x3F_F000))).isTrue();
        assertThat(p.overlaps(Page.of4k(0x40_0000))).isFalse();
        assertThat(p.overlaps(Page.of4k(0x1F_F000))).isFalse();
        assertThat(Page.containing(VirtAddr.of(0x20_1234))).isEqualTo(Page.of4k(0x20_1000));
        assertThat(Page.of4k(0x20_0000).compareTo(p)).as("same start: smaller size first").isNegative();
        assertThat(p).hasToString("0x0000000000200000/2 MiB");
        assertThat(PageSize.GIB_512).hasToString("512 GiB");
        assertThat(PageSize.KIB_64).hasToString("64 KiB");
        assertThat(PageSize.MIB_32.frames()).isEqualTo(8192);
        assertThat(PageSize.ofShift(29)).isEqualTo(PageSize.MIB_512);
        assertThatThrownBy(() -> PageSize.ofShift(13)).hasMessage("no page size of 2^13 bytes");
    }

    @Test
    void permissionsAccessesAndFlushes() {
        assertThat(new Permissions(true, false, true, false).executable()).isTrue();
        assertThat(new Permissions(true, false, false, true).executable()).isTrue();
        assertThat(new Permissions(true, false, true, true).executable()).isFalse();
        assertThat(new Permissions(true, false, true, false).writableAndExecutable()).isTrue();
        assertThat(new Permissions(false, false, false, false).writableAndExecutable()).isFalse();
        assertThat(new Permissions(true, true, false, true).asFlags())
                .isEqualTo(PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER));
        assertThat(new Permissions(false, false, true, true).asFlags()).isEqualTo(PageFlags.readOnly());
        assertThat(new Permissions(true, true, false, false)).hasToString("WUXuXk");
        assertThat(new Permissions(false, false, true, true)).hasToString("-K--");
        assertThat(Access.kernel(Access.Type.WRITE)).hasToString("kernel write");
        assertThat(Access.userExecute()).hasToString("user execute");
        assertThat(Access.userRead()).isEqualTo(new Access(Access.Type.READ, true));
        assertThat(Access.userWrite()).isEqualTo(new Access(Access.Type.WRITE, true));
        TlbFlush f = new TlbFlush(VirtAddr.of(0x2000), 0x1000, TlbFlush.Reason.UNMAP);
        assertThat(f.full()).isFalse();
        assertThat(f).hasToString("UNMAP 0x0000000000002000+0x1000");
    }

    @Test
    void memoryFramesAreCopiedOnWriteAndSnapshotsAreCanonical() {
        PhysicalMemory m = new PhysicalMemory();
        PhysAddr a = PhysAddr.of(0x5008);
        m.write64(a, 7);
        PhysicalMemory c = m.copy();
        PhysicalMemory.Snapshot before = m.snapshot();
        m.write64(a, 8);
        assertThat(c.read64(a)).as("the copy keeps its own contents").isEqualTo(7);
        assertThat(before).isEqualTo(c.snapshot()).hasSameHashCodeAs(c.snapshot());
        assertThat(m.snapshot()).isNotEqualTo(before);
        c.write64(a, 9);
        assertThat(m.read64(a)).isEqualTo(8);
        c.write64(a, 8);
        assertThat(c.snapshot()).isEqualTo(m.snapshot());
        // Writing zero back removes the frame: the same contents, the same snapshot.
        m.write64(PhysAddr.of(0x9000), 3);
        assertThat(m.nonZeroFrames()).isEqualTo(2);
        m.write64(PhysAddr.of(0x9000), 0);
        assertThat(m.nonZeroFrames()).isEqualTo(1);
        assertThat(m.isZero(PhysFrame.of(9))).isTrue();
        assertThat(m.snapshot()).isEqualTo(c.snapshot());
        m.write64(PhysAddr.of(0x9008), 0);
        assertThat(m.nonZeroFrames()).isEqualTo(1);
        // A frame with another non-zero word stays.
        m.write64(PhysAddr.of(0x5000), 1);
        m.write64(PhysAddr.of(0x5000), 0);
        assertThat(m.read64(a)).isEqualTo(8);
        // copyFrame shares, and a later write to either side leaves the other alone.
        m.copyFrame(PhysFrame.of(5), PhysFrame.of(6));
        m.write64(PhysAddr.of(0x6008), 1);
        assertThat(m.read64(a)).isEqualTo(8);
        m.write64(a, 2);
        assertThat(m.read64(PhysAddr.of(0x6008))).isEqualTo(1);
        m.copyFrame(PhysFrame.of(7), PhysFrame.of(6));
        assertThat(m.isZero(PhysFrame.of(6))).isTrue();
        m.zero(FrameRange.of(5, 2));
        assertThat(m.nonZeroFrames()).isZero();
        assertThat(m.snapshot()).isEqualTo(new PhysicalMemory().snapshot());
        assertThatThrownBy(() -> m.read64(PhysAddr.of(0x5004))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("64-bit access at 0x5004 is not 8-byte aligned");
        assertThatThrownBy(() -> m.write64(PhysAddr.of(0x5001), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void snapshotsCompareFramesAndWords() {
        PhysicalMemory m = new PhysicalMemory();
        m.write64(PhysAddr.of(0x1000), 1);
        m.write64(PhysAddr.of(0x1ff8), 2);
        PhysicalMemory other = new PhysicalMemory();
        other.write64(PhysAddr.of(0x2000), 1);
        other.write64(PhysAddr.of(0x2ff8), 2);
        assertThat(m.snapshot()).as("same words in another frame").isNotEqualTo(other.snapshot());
        assertThat(m.snapshot().words()).isEqualTo(2);
        assertThat(m.snapshot()).hasToString("{0x1000=0x1, 0x1ff8=0x2}");
        assertThat(m.snapshot()).isNotEqualTo("{0x1000=0x1, 0x1ff8=0x2}");
        PhysicalMemory same = new PhysicalMemory();
        same.write64(PhysAddr.of(0x1ff8), 2);
        same.write64(PhysAddr.of(0x1000), 1);
        assertThat(same.snapshot()).isEqualTo(m.snapshot());
        same.write64(PhysAddr.of(0x3000), 5);
        assertThat(same.snapshot()).isNotEqualTo(m.snapshot());
        PhysicalMemory big = new PhysicalMemory();
        for (int i = 0; i < 17; i++) {
            big.write64(PhysAddr.of(0x1000 + 8L * i), i + 1);
        }
        assertThat(big.snapshot().toString()).endsWith(", 0x1078=0x10, ... 17 words}");
    }

    private static PageMapper mapped(PteFormat f, PageFlags flags) {
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 256)),
                TlbFlushSink.NONE);
        m.map(Page.of(1L << 30, f.pageSizes().get(0)), PhysFrame.of(0x10_0000), flags);
        return m;
    }

    private static Optional<Walk.Fault> check(PageMapper m, Access a) {
        return m.access(VirtAddr.of(1L << 30), a);
    }

    private static String reason(PageMapper m, Access a) {
        Walk.Fault f = check(m, a).orElseThrow();
        assertThat(f.kind()).isEqualTo(Walk.FaultKind.PROTECTION);
        assertThat(f.depth()).isEqualTo(m.format().levels() - 1);
        return f.reason();
    }

    @Test
    void theMmuNamesEachProtectionFault() {
        PageFlags kernelRo = PageFlags.of(PageFlags.PRESENT, PageFlags.ACCESSED, PageFlags.NO_EXECUTE);
        PageMapper x = mapped(X86_64Pte.FORMAT, kernelRo);
        assertThat(reason(x, Access.userRead())).isEqualTo("user read: user access to a kernel page");
        assertThat(reason(x, Access.kernel(Access.Type.WRITE))).isEqualTo("kernel write: write to a read-only page");
        assertThat(reason(x, Access.kernel(Access.Type.EXECUTE))).isEqualTo("kernel execute: instruction fetch from a no-execute page");
        assertThat(reason(x, Access.userExecute())).isEqualTo("user execute: instruction fetch from a no-execute page");
        assertThat(check(x, Access.kernel(Access.Type.READ))).isEmpty();
        PageMapper userRw = mapped(X86_64Pte.FORMAT, PagingScope.RW);
        assertThat(check(userRw, Access.userWrite())).isEmpty();
        assertThat(check(userRw, Access.kernel(Access.Type.WRITE))).as("no SMAP").isEmpty();
        PageMapper kernelRw = mapped(X86_64Pte.FORMAT, PagingScope.KRW);
        assertThat(reason(kernelRw, Access.userWrite())).isEqualTo("user write: user access to a kernel page");
        // RISC-V: SUM=0, the kernel may not touch user pages; A=0 / D=0 fault as ACCESS_STATE.
        PageMapper rv = mapped(RiscvPte.SV48, PagingScope.RW);
        assertThat(reason(rv, Access.kernel(Access.Type.READ))).isEqualTo("kernel read: supervisor access to a user page");
        assertThat(check(rv, Access.kernel(Access.Type.EXECUTE)).orElseThrow().kind()).isEqualTo(Walk.FaultKind.PROTECTION);
        PageMapper noA = mapped(RiscvPte.SV48, PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.WRITABLE, PageFlags.NO_EXECUTE));
        Walk.Fault state = check(noA, Access.userRead()).orElseThrow();
        assertThat(state).isEqualTo(new Walk.Fault(Walk.FaultKind.ACCESS_STATE, 3, "user read: A=0 (no hardware A/D update)"));
        // AArch64: user pages are PXN, so the kernel never executes them.
        PageMapper arm = mapped(Aarch64Pte.G4K, PagingScope.RX);
        assertThat(check(arm, Access.userExecute())).isEmpty();
        assertThat(reason(arm, Access.kernel(Access.Type.EXECUTE))).isEqualTo("kernel execute: instruction fetch from a no-execute page");
    }

    @Test
    void walksFaultWhereTheyStop() {
        PageMapper x = mapped(X86_64Pte.FORMAT, PagingScope.R);
        Walk w = x.walk(VirtAddr.of(2L << 30));
        assertThat(w.fault()).contains(new Walk.Fault(Walk.FaultKind.NOT_PRESENT, 1, "PDPT[2] is not present"));
        assertThat(w.steps()).hasSize(2);
        assertThat(w.translation()).isEmpty();
        PageMapper sv39 = mapped(RiscvPte.SV39, PagingScope.R);
        Walk nc = sv39.walk(VirtAddr.of(1L << 40));
        assertThat(nc.fault()).contains(new Walk.Fault(Walk.FaultKind.NON_CANONICAL, -1,
                "0x0000010000000000 is not canonical for 39-bit sv39"));
        assertThat(nc.steps()).isEmpty();
        Walk.StepRead leaf = x.walk(VirtAddr.of(1L << 30)).steps().get(3);
        x.memory().write64(leaf.table().plus((long) leaf.index() * 8), leaf.raw() | (1L << 7) | (1L << 13));
        Walk.StepRead pd = x.walk(VirtAddr.of(1L << 30)).steps().get(2);
        x.memory().write64(pd.table().plus((long) pd.index() * 8), 0x20_2081L);
        assertThat(x.walk(VirtAddr.of(1L << 30)).fault())
                .contains(new Walk.Fault(Walk.FaultKind.RESERVED, 2, "PD[0]: address bits 13..20 of a PD leaf are reserved"));
    }
}
