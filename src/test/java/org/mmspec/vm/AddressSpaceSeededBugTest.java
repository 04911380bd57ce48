package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.paging.Access;

/**
 * What two seeded bugs do to an address space, page by page, next to the correct space doing the
 * same: {@link VmSystem.Bug#MPROTECT_KEEPS_PTE_WRITABLE} keeps write on a present page only where
 * the new protection has no exec (and grants it where the new protection does, as the correct
 * space does), so that it shows as AS-2; {@link VmSystem.Bug#PROT_NONE_USER_BIT} leaves a
 * PROT_NONE page user-accessible in the real page-table bits, so that the hardware walk lets a
 * user load through.
 */
class AddressSpaceSeededBugTest extends AddressSpaceFixture {
    private void fresh(VmSystem.Bug bug) {
        sys = new VmSystem(Layout.small(64), AddressSpace.WxPolicy.ENFORCE, 40, bug);
        as = sys.space(0);
    }

    /** Pages 10 and 11 written (writable), 12 only read (present, not writable), in one RW area. */
    private void threePages(VmSystem.Bug bug) {
        fresh(bug);
        fixed(10, 3, Prot.RW);
        write(10, 1);
        write(11, 2);
        as.mprotect(UserAddr.ofPage(12), P, Prot.R);
        read(12);
        as.mprotect(UserAddr.ofPage(12), P, Prot.RW);
    }

    @Test
    void mprotectKeepsPteWritableKeepsWriteOnlyWhereTheNewProtectionHasNoExec() {
        for (VmSystem.Bug bug : new VmSystem.Bug[] {VmSystem.Bug.NONE, VmSystem.Bug.MPROTECT_KEEPS_PTE_WRITABLE}) {
            boolean seeded = bug != VmSystem.Bug.NONE;
            threePages(bug);
            assertThat(as.translation(12).orElseThrow().write()).as("%s: RW grants write to the present page 12", bug).isTrue();
            as.mprotect(UserAddr.ofPage(10), P, Prot.R);
            as.mprotect(UserAddr.ofPage(11), P, Prot.RX);
            assertThat(as.translation(10).orElseThrow().write()).as("%s: read-only page 10", bug).isEqualTo(seeded);
            assertThat(as.hardwareAllows(10, Access.userWrite())).as("%s: in the real bits too", bug).isEqualTo(seeded);
            assertThat(as.translation(11).orElseThrow().write()).as("%s: r-x page 11 never keeps write", bug).isFalse();
            assertThat(as.translation(11).orElseThrow().exec()).as("%s", bug).isTrue();
            if (seeded) {
                assertThat(broken()).as("%s", bug).contains("AS-2");
            } else {
                assertThat(broken()).as("%s", bug).isEmpty();
            }
        }
    }

    @Test
    void protNoneUserBitLeavesAProtNonePageReadableByTheHardwareWalk() {
        for (VmSystem.Bug bug : new VmSystem.Bug[] {VmSystem.Bug.NONE, VmSystem.Bug.PROT_NONE_USER_BIT}) {
            boolean seeded = bug != VmSystem.Bug.NONE;
            fresh(bug);
            fixed(10, 1, Prot.RW);
            write(10, 5);
            as.mprotect(UserAddr.ofPage(10), P, Prot.NONE);
            assertThat(as.translation(10)).as("%s: still present", bug).isPresent();
            assertThat(as.hardwareAllows(10, Access.userRead())).as("%s: a user load", bug).isEqualTo(seeded);
            assertThat(as.hardwareAllows(10, Access.userWrite())).as("%s: never a store", bug).isFalse();
        }
    }
}
