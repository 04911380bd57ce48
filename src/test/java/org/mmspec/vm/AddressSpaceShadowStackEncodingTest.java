package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.PteFormat;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * SHSTK-2 for the general address space: with CET on, a leaf with R/W=0 and D=1 is a shadow
 * stack (spec/hardware-security.md), so no leaf {@link AddressSpace} writes may have that shape.
 * Every leaf it writes (map, updateFlags, remap; fork's copy-on-write included) is encoded from
 * {@link AddressSpace#hwFlags}, so checking hwFlags on every translation shape covers every path.
 */
class AddressSpaceShadowStackEncodingTest {

    @Test
    void SHSTK_2_noLeafTheAddressSpaceWritesReadsAsShadowStack() {
        VmSystem sys = VmSystem.of(Layout.small(16), 8);
        AddressSpace as = sys.space(0);
        PteFormat f = sys.frames().format();
        assertThat(f).isSameAs(X86_64Pte.FORMAT);
        for (Prot p : Prot.ALL) {
            for (boolean mayWrite : new boolean[] {true, false}) {
                Pte pte = Pte.of(PhysFrame.of(3), p, mayWrite);
                // Fork's copy-on-write and mprotect's downgrade reach the leaf through withWrite(false).
                for (Pte shape : new Pte[] {pte, pte.withWrite(false), pte.wxSplit()}) {
                    long raw = f.encodeLeaf(shape.frame().start(), as.hwFlags(shape), X86_64Pte.PT_DEPTH);
                    assertThat(X86_64Pte.isShadowStack(raw)).as("%s -> %s", shape, f.describe(raw, X86_64Pte.PT_DEPTH))
                            .isFalse();
                }
            }
        }
    }
}
