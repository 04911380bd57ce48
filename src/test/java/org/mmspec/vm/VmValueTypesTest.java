package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;

/**
 * The small value types of address spaces at their edges: what each accepts and rejects, and the
 * text each renders ({@code /proc/PID/maps} protections, area and translation dumps in failure
 * messages).
 */
class VmValueTypesTest {

    /** {@link Layout#small}(64) with one field replaced, by index in the record's order. */
    private static Layout small(int field, long value) {
        long[] f = {1, 64, 60, 1, 64, 1, 3, 1, 2, 3};
        f[field] = value;
        return new Layout(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]);
    }

    private static void inconsistent(int field, long value) {
        assertThatThrownBy(() -> small(field, value)).as("field %d = %d", field, value)
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("inconsistent layout Layout[minPage=");
    }

    @Test
    void layoutAcceptsEachOrderingRuleAtEqualityAndRejectsItOnePast() {
        assertThat(small(0, 1)).isEqualTo(Layout.small(64));
        inconsistent(0, 0); // mmap_min_addr of page 0
        inconsistent(3, 0); // legacy base below min page
        assertThat(small(3, 60).legacyBase()).isEqualTo(60); // legacy base = mmap base
        inconsistent(3, 61);
        assertThat(new Layout(1, 64, 63, 1, 63, 1, 3, 1, 2, 3).mmapBase()).isEqualTo(63); // mmap base = stack top
        inconsistent(2, 65);
        inconsistent(4, 65); // stack top past the top page
        inconsistent(5, 0); // no initial stack page
        assertThat(small(5, 3).stackInitialPages()).isEqualTo(3); // initial = limit
        inconsistent(5, 4);
        assertThat(small(6, 63).stackFloor()).isEqualTo(1); // the stack may reach down to min page
        inconsistent(6, 64);
        assertThat(new Layout(2, 64, 60, 2, 64, 1, 3, 1, 2, 3).minPage()).isEqualTo(2); // heap start = min page
        inconsistent(8, 0);
        assertThat(small(8, 59).startBrkPage()).isEqualTo(59); // heap starts right below the mmap base
        inconsistent(8, 60);
        assertThatThrownBy(() -> new Layout(2, 64, 60, 1, 64, 1, 3, 1, 2, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void smallAndLinuxLayoutsHaveTheStatedShape() {
        assertThat(Layout.small(16)).isEqualTo(new Layout(1, 16, 12, 1, 16, 1, 3, 1, 2, 3));
        assertThat(Layout.small(16).stackFloor()).isEqualTo(13);
        Layout linux = Layout.linuxX86_64();
        assertThat(linux.topPage()).isEqualTo(0x7ffffffffL);
        assertThat(linux.mmapBase()).isEqualTo(0x7ffffffffL - 0x8000 - 256);
        assertThat(linux.legacyBase()).isEqualTo(0x7ffffffffL / 3);
        assertThat(linux.stackFloor()).isEqualTo(0x7ffffffffL - 2048);
        assertThat(linux.startBrkPage()).isEqualTo(0x555557554L);
        assertThat(linux.brkLimitPages()).isEqualTo(1L << 20);
        assertThat(linux.stackInitialPages()).isEqualTo(33);
    }

    @Test
    void protParsesAndRendersTheMapsColumnAndLinuxBits() {
        assertThat(Prot.parse("r-xp")).isEqualTo(Prot.RX);
        assertThat(Prot.parse("-w-")).isEqualTo(new Prot(false, true, false));
        assertThat(Prot.parse("---")).isEqualTo(Prot.NONE);
        assertThatThrownBy(() -> Prot.parse("rw")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("protection needs three characters rwx: 'rw'");
        assertThatThrownBy(() -> Prot.parse("rxw")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 'w' or '-', not 'x'");
        assertThat(Prot.ofBits(Prot.PROT_READ | Prot.PROT_EXEC)).isEqualTo(Prot.RX);
        assertThat(Prot.ofBits(Prot.PROT_WRITE)).isEqualTo(new Prot(false, true, false));
        assertThat(Prot.ofBits(0x8)).as("unknown bits are the caller's to reject").isEqualTo(Prot.NONE);
        assertThat(Prot.RWX.bits()).isEqualTo(7);
        assertThat(Prot.RX.bits()).isEqualTo(5);
        assertThat(new Prot(false, true, false).bits()).isEqualTo(2);
        assertThat(Prot.NONE.bits()).isZero();
        for (Prot p : Prot.ALL) {
            assertThat(Prot.parse(p.toString())).isEqualTo(p);
            assertThat(Prot.ofBits(p.bits())).isEqualTo(p);
            assertThat(p.readable()).as(p.toString()).isEqualTo(!p.equals(Prot.NONE));
            assertThat(p.isWriteExec()).as(p.toString()).isEqualTo(p.write() && p.exec());
        }
        assertThat(new Prot(false, true, true).isWriteExec()).isTrue();
        assertThat(new Prot(true, true, false).isWriteExec()).isFalse();
        assertThat(new Prot(false, false, true).toString()).isEqualTo("--x");
    }

    @Test
    void userAddrCoversTheLowerCanonicalHalfExactly() {
        assertThat(UserAddr.of(UserAddr.LIMIT - 1).value()).isEqualTo((1L << 47) - 1);
        assertThat(UserAddr.of(0).page()).isZero();
        assertThatThrownBy(() -> UserAddr.of(UserAddr.LIMIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("0x800000000000 is not a user address [0, 2^47)");
        assertThatThrownBy(() -> UserAddr.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(UserAddr.of(0x1fff).page()).isEqualTo(1);
        assertThat(UserAddr.of(0x2000).page()).isEqualTo(2);
        assertThat(UserAddr.of(0x2000).isPageAligned()).isTrue();
        assertThat(UserAddr.of(0x2001).isPageAligned()).isFalse();
        assertThat(UserAddr.of(0x2800).isPageAligned()).isFalse();
        assertThat(UserAddr.ofPage(3)).isEqualTo(UserAddr.of(0x3000)).hasToString("0x3000");
        assertThat(UserAddr.of(1).compareTo(UserAddr.of(2))).isNegative();
        assertThat(UserAddr.of(2).compareTo(UserAddr.of(1))).isPositive();
        assertThat(UserAddr.of(2).compareTo(UserAddr.of(2))).isZero();
    }

    @Test
    void vmaIsNonEmptyAndContainsExactlyItsPages() {
        assertThat(Vma.anonymous(0, 1, Prot.R, VmFlags.PRIVATE).pages()).isEqualTo(1);
        assertThatThrownBy(() -> Vma.anonymous(5, 5, Prot.R, VmFlags.PRIVATE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty or negative area [5, 5)");
        assertThatThrownBy(() -> Vma.anonymous(-1, 2, Prot.R, VmFlags.PRIVATE)).isInstanceOf(IllegalArgumentException.class);
        Vma v = Vma.anonymous(10, 14, Prot.RW, VmFlags.PRIVATE);
        assertThat(v.pgoff()).as("anonymous pgoff is the start page").isEqualTo(10);
        assertThat(v.isAnonymous()).isTrue();
        assertThat(v.contains(9)).isFalse();
        assertThat(v.contains(10)).isTrue();
        assertThat(v.contains(13)).isTrue();
        assertThat(v.contains(14)).isFalse();
        assertThat(new Vma(1, 2, Prot.R, VmFlags.PRIVATE, "/f", 0, 0).isAnonymous()).isFalse();
    }

    @Test
    void vmaSlicesMoveTheFileOffsetAndRejectRangesOutsideTheArea() {
        Vma v = new Vma(10, 14, Prot.R, VmFlags.PRIVATE, "/lib/a.so", 100, 3);
        assertThat(v.slice(10, 14)).isEqualTo(v);
        assertThat(v.slice(12, 13)).isEqualTo(new Vma(12, 13, Prot.R, VmFlags.PRIVATE, "/lib/a.so", 102, 3));
        assertThatThrownBy(() -> v.slice(9, 12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slice [9, 12) outside [10,14)r--p /lib/a.so@100 av3");
        assertThatThrownBy(() -> v.slice(12, 15)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> v.slice(12, 12)).isInstanceOf(IllegalArgumentException.class);
        assertThat(v.withStart(8)).isEqualTo(new Vma(8, 14, Prot.R, VmFlags.PRIVATE, "/lib/a.so", 98, 3));
        assertThat(v.withAnonVma(9).anonVma()).isEqualTo(9);
        VmFlags acc = VmFlags.PRIVATE.withAccounted(true);
        assertThat(v.withProt(Prot.RW, acc)).isEqualTo(new Vma(10, 14, Prot.RW, acc, "/lib/a.so", 100, 3));
    }

    @Test
    void vmaMergesOnlyWhenEveryLinuxConditionHolds() {
        Vma a = new Vma(10, 12, Prot.R, VmFlags.PRIVATE, "/f", 4, 0);
        Vma b = new Vma(12, 14, Prot.R, VmFlags.PRIVATE, "/f", 6, 0);
        assertThat(a.mergeableWith(b)).isTrue();
        assertThat(a.mergeWith(b)).isEqualTo(new Vma(10, 14, Prot.R, VmFlags.PRIVATE, "/f", 4, 0));
        assertThat(a.mergeableWith(new Vma(13, 15, Prot.R, VmFlags.PRIVATE, "/f", 7, 0))).as("not adjacent").isFalse();
        assertThat(a.mergeableWith(new Vma(12, 14, Prot.RW, VmFlags.PRIVATE, "/f", 6, 0))).as("protection").isFalse();
        assertThat(a.mergeableWith(new Vma(12, 14, Prot.R, VmFlags.PRIVATE.withAccounted(true), "/f", 6, 0))).as("flags").isFalse();
        assertThat(a.mergeableWith(new Vma(12, 14, Prot.R, VmFlags.PRIVATE, "/g", 6, 0))).as("file").isFalse();
        assertThat(a.mergeableWith(new Vma(12, 14, Prot.R, VmFlags.PRIVATE, "/f", 7, 0))).as("offset").isFalse();
        VmFlags special = new VmFlags(false, false, false, false, true);
        assertThat(new Vma(10, 12, Prot.R, special, "[vdso]", 0, 0).mergeableWith(new Vma(12, 14, Prot.R, special, "[vdso]", 2, 0)))
                .as("special mappings never merge").isFalse();
        Vma withAv = a.withAnonVma(5);
        assertThat(withAv.mergeableWith(b)).isTrue();
        assertThat(withAv.mergeWith(b).anonVma()).isEqualTo(5);
        assertThat(a.mergeWith(b.withAnonVma(6)).anonVma()).isEqualTo(6);
        assertThat(a.mergeableWith(b.withAnonVma(6))).isTrue();
        assertThat(withAv.mergeableWith(b.withAnonVma(5))).isTrue();
        assertThat(withAv.mergeableWith(b.withAnonVma(6))).as("two different anon_vmas").isFalse();
    }

    @Test
    void areasFlagsAndTranslationsRenderCompactly() {
        VmFlags all = new VmFlags(true, true, true, true, true);
        assertThat(all).hasToString("sGANS");
        assertThat(VmFlags.PRIVATE).hasToString("p");
        assertThat(new Vma(1, 3, Prot.RX, all, "/x", 7, 0)).hasToString("[1,3)r-xsGANS /x@7");
        assertThat(Vma.anonymous(1, 3, Prot.RW, VmFlags.PRIVATE).withAnonVma(4)).hasToString("[1,3)rw-p av4");
        assertThat(new MapFlags(true, true, true, true, true)).hasToString("SHARED|ANON|FIXED|FIXED_NOREPLACE|NORESERVE");
        assertThat(MapFlags.PRIVATE_ANON).hasToString("PRIVATE|ANON");
        assertThat(MapFlags.PRIVATE_ANON.withFixed()).isEqualTo(MapFlags.PRIVATE_ANON_FIXED);
        assertThat(new MapFlags(true, false, false, true, true).withFixed()).isEqualTo(new MapFlags(true, false, true, true, true));
        assertThat(new Pte(PhysFrame.of(5), true, true, false)).hasToString("5rw-");
        assertThat(new Pte(PhysFrame.of(6), false, false, true)).hasToString("6--x");
    }

    @Test
    void accountingChargesPrivateWritableReservedMemoryOnly() {
        assertThat(VmFlags.PRIVATE.accountable(Prot.RW)).isTrue();
        assertThat(VmFlags.PRIVATE.accountable(Prot.RX)).isFalse();
        assertThat(new VmFlags(true, false, false, false, false).accountable(Prot.RW)).as("shared").isFalse();
        assertThat(new VmFlags(false, false, false, true, false).accountable(Prot.RW)).as("MAP_NORESERVE").isFalse();
        assertThat(new VmFlags(true, true, false, true, true).withAccounted(true)).isEqualTo(new VmFlags(true, true, true, true, true));
    }

    @Test
    void translationsKeepWriteXorExecOnTheEntry() {
        PhysFrame f = PhysFrame.of(3);
        assertThat(Pte.of(f, Prot.RWX, true)).isEqualTo(new Pte(f, true, true, false));
        assertThat(Pte.of(f, Prot.RWX, false)).isEqualTo(new Pte(f, true, false, true));
        assertThat(Pte.of(f, Prot.RW, false)).isEqualTo(new Pte(f, true, false, false));
        assertThat(Pte.of(f, new Prot(false, false, true), true)).as("exec implies read on x86_64").isEqualTo(new Pte(f, true, false, true));
        assertThat(Pte.of(f, Prot.NONE, true)).isEqualTo(new Pte(f, false, false, false));
        Pte rx = new Pte(f, true, false, true);
        assertThat(rx.wxSplit()).isSameAs(rx);
        assertThat(new Pte(f, false, true, true).wxSplit()).isEqualTo(new Pte(f, false, true, false));
        assertThat(new Pte(f, true, true, false).execPhase()).isEqualTo(rx);
        assertThat(rx.withWrite(true)).isEqualTo(new Pte(f, true, true, true));
        assertThat(rx.withFrame(PhysFrame.of(4))).isEqualTo(new Pte(PhysFrame.of(4), true, false, true));
    }

    @Test
    void vmErrorsCarryTheirKindAndErrno() {
        VmError e = VmError.of(VmError.Kind.NO_SPACE, "ENOMEM", "mmap: %d pages", 3);
        assertThat(e.errorKind()).isEqualTo(VmError.Kind.NO_SPACE);
        assertThat(e.errno()).isEqualTo("ENOMEM");
        assertThat(e).hasMessage("mmap: 3 pages");
    }
}
