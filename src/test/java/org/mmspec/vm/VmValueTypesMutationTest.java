package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.paging.PageSize;

/**
 * Bit by bit and boundary by boundary, what the value types state beyond
 * {@link VmValueTypesTest}: each MREMAP_* bit and its printed name, an empty slice refused by the
 * slice itself, the 4 KiB pages of a hugetlb page, and the system's state codec.
 */
class VmValueTypesMutationTest {

    @Test
    void remapFlagsReadEachBitOnItsOwn() {
        assertThat(RemapFlags.ofBits(0)).isEqualTo(RemapFlags.NONE);
        assertThat(RemapFlags.ofBits(RemapFlags.MREMAP_MAYMOVE)).isEqualTo(RemapFlags.MAYMOVE);
        assertThat(RemapFlags.ofBits(RemapFlags.MREMAP_FIXED)).isEqualTo(new RemapFlags(false, true, false, false));
        assertThat(RemapFlags.ofBits(RemapFlags.MREMAP_DONTUNMAP)).isEqualTo(new RemapFlags(false, false, true, false));
        assertThat(RemapFlags.ofBits(8)).isEqualTo(new RemapFlags(false, false, false, true));
        assertThat(RemapFlags.ofBits(1L << 40)).as("a bit above the int range").isEqualTo(new RemapFlags(false, false, false, true));
        assertThat(RemapFlags.ofBits(7)).isEqualTo(new RemapFlags(true, true, true, false));
    }

    @Test
    void remapFlagsPrintEachFlagAndZeroForNone() {
        assertThat(RemapFlags.NONE).hasToString("0");
        assertThat(RemapFlags.MAYMOVE).hasToString("MAYMOVE");
        assertThat(new RemapFlags(false, true, false, false)).hasToString("FIXED");
        assertThat(new RemapFlags(false, false, true, false)).hasToString("DONTUNMAP");
        assertThat(new RemapFlags(false, false, false, true)).hasToString("unknown");
        assertThat(RemapFlags.ofBits(15)).hasToString("MAYMOVE|FIXED|DONTUNMAP|unknown");
        assertThat(new RemapFlags(false, true, true, false).movesTo()).isTrue();
        assertThat(new RemapFlags(false, false, true, false).movesTo()).isTrue();
        assertThat(new RemapFlags(false, true, false, false).movesTo()).isTrue();
        assertThat(RemapFlags.MAYMOVE.movesTo()).isFalse();
    }

    @Test
    void anEmptySliceIsRefusedByTheSliceNotByTheAreaConstructor() {
        Vma v = new Vma(10, 14, Prot.R, VmFlags.PRIVATE, null, 10, 0);
        assertThatThrownBy(() -> v.slice(12, 12)).hasMessage("slice [12, 12) outside [10,14)r--p");
        assertThatThrownBy(() -> v.slice(13, 12)).hasMessage("slice [13, 12) outside [10,14)r--p");
        assertThatThrownBy(() -> v.slice(10, 15)).hasMessage("slice [10, 15) outside [10,14)r--p");
        assertThat(v.slice(13, 14)).isEqualTo(new Vma(13, 14, Prot.R, VmFlags.PRIVATE, null, 13, 0));
    }

    @Test
    void aHugetlbPageIsItsSizeIn4KiBPages() {
        assertThat(VmFlags.PRIVATE.pagesPerPage()).isEqualTo(1);
        assertThat(new VmFlags(false, false, false, false, false, PageSize.MIB_2).pagesPerPage()).isEqualTo(512);
        assertThat(new VmFlags(false, false, false, false, false, PageSize.GIB_1).pagesPerPage()).isEqualTo(512 * 512);
    }

    @Test
    void theSystemStateCodecRoundTripsEveryProcess() throws IOException {
        VmSystem sys = VmSystem.of(Layout.small(16), 24);
        AddressSpace as = sys.space(0);
        as.mmap(UserAddr.ofPage(5), 2 * Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(5), Access.WRITE);
        as.store(5, 0x77);
        sys.fork(0);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sys.writeState(new DataOutputStream(bytes));
        VmSystem other = VmSystem.of(Layout.small(16), 24);
        other.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(other.spaces()).hasSize(2);
        assertThat(other.key()).isEqualTo(sys.key());
        assertThat(other.toString()).isEqualTo(sys.toString());
        assertThat(other.space(1).load(5)).isEqualTo(0x77);
        assertThat(other.frames().refs()).isEqualTo(sys.frames().refs());
    }

    @Test
    void aslrShiftsByTheSeedsDrawsBelowTheStacksWholeRandomRange() {
        Layout base = Layout.linuxX86_64();
        long seed = 42;
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long stackShift = r.nextLong(1L << Aslr.STACK_BITS);
        long mmapShift = r.nextLong(1L << Aslr.MMAP_BITS);
        long heapShift = r.nextLong(1L << Aslr.HEAP_BITS);
        Layout l = Aslr.randomize(base, seed);
        assertThat(l.stackTop()).isEqualTo(base.stackTop() - stackShift);
        // Below the stack limit, the guard gap and the stack's 2^22 random pages, then shifted down.
        assertThat(l.mmapBase()).isEqualTo(base.topPage() - base.stackLimitPages() - base.guardGapPages()
                - (1L << Aslr.STACK_BITS) - mmapShift);
        assertThat(l.startBrkPage()).isEqualTo(base.startBrkPage() + heapShift);
        assertThat(Aslr.randomize(base, seed)).isEqualTo(l);
    }

    @Test
    void theDirectPortWithholdsNothingAndSaysSo() {
        assertThat(TlbPort.DIRECT).hasToString("TlbPort.DIRECT");
        assertThat(TlbPort.DIRECT.withheld()).isEmpty();
    }

    @Test
    void theSuitesAreTheTwoStatefulChecksTheHugePageCheckTheQuickExplorationAndTheInductiveStep() {
        java.util.List<org.mmspec.check.CheckSuite> all = VmSuites.all();
        assertThat(all).extracting(org.mmspec.check.CheckSuite::kind).containsExactly(
                org.mmspec.check.CheckSuite.Kind.RANDOM, org.mmspec.check.CheckSuite.Kind.RANDOM,
                org.mmspec.check.CheckSuite.Kind.RANDOM, org.mmspec.check.CheckSuite.Kind.EXHAUSTIVE,
                org.mmspec.check.CheckSuite.Kind.INDUCTIVE);
        assertThat(all).allMatch(s -> s.component().equals("vm"));
        org.mmspec.check.CheckSuite quick = all.get(3);
        assertThat(quick.name()).isEqualTo("address space, 8 pages, one process, depth 2");
        assertThat(quick.invariantIds()).contains("VMA-1", "SEC-1", "HUGETLB-1");
        org.mmspec.check.CheckSuite.Result r = quick.run();
        assertThat(r.passed()).isTrue();
        assertThat(r.count()).isGreaterThan(1);
    }
}
