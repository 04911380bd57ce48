package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;

/**
 * The kernel image's layout and {@code set_memory_*} rules at their exact values: where image page
 * {@code i} lives and which frame backs it, the leaf bits of each right, which change each section
 * refuses (with the section named in the error), and the rendering (PIT found these unchecked).
 */
class KernelImageDetailTest {

    private static final PteFormat X86 = PagingFormats.byName("x86_64");

    @Test
    void imagePageIIsAtTheBasePlusIPagesAndBackedByFrameTwoToThe20PlusI() {
        KernelImage k = KernelImage.boot(X86, KernelImage.Bug.NONE);
        assertThat(KernelImage.page(X86, 3).start()).isEqualTo(VirtAddr.of(KernelImage.BASE + 3 * 4096L));
        Translation t = k.mapper().translate(KernelImage.page(X86, 3).start()).orElseThrow();
        assertThat(t.pa()).isEqualTo(PhysFrame.of((1L << 20) + 3).start());
    }

    @Test
    void kernelLeavesAreGlobalAccessedAndDirtyWhenWritableAndNoExecuteUnlessExecutable() {
        PageFlags base = PageFlags.PRESENT.with(PageFlags.GLOBAL).with(PageFlags.ACCESSED);
        assertThat(KernelImage.flags(X86, false, true)).isEqualTo(base);
        assertThat(KernelImage.flags(X86, false, false)).isEqualTo(base.with(PageFlags.NO_EXECUTE));
        assertThat(KernelImage.flags(X86, true, false))
                .isEqualTo(base.with(PageFlags.WRITABLE).with(PageFlags.DIRTY).with(PageFlags.NO_EXECUTE));
    }

    @Test
    void setMemoryKeepsTheOtherRightAndRefusesWhatTheSectionLacks() {
        KernelImage k = KernelImage.boot(X86, KernelImage.Bug.NONE);
        assertThatThrownBy(() -> k.setMemory(3, KernelImage.Change.X)).isInstanceOfSatisfying(PagingError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(PagingError.Kind.PROTECTED_SECTION);
            assertThat(e.getMessage()).contains("set_memory_x: page 3 of .data[3, 4) rw- may not become wx");
        });
        assertThatThrownBy(() -> k.setMemory(0, KernelImage.Change.RW)).isInstanceOfSatisfying(PagingError.class,
                e -> assertThat(e.getMessage()).contains("set_memory_rw: page 0 of .text[0, 2) r-x may not become wx"));
        assertThatThrownBy(() -> k.setMemory(5, KernelImage.Change.RO)).isInstanceOfSatisfying(PagingError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(PagingError.Kind.NOT_MAPPED);
            assertThat(e.getMessage()).contains("image page 5 is in no section");
        });
        k.setMemory(3, KernelImage.Change.NX); // already no-execute: stays writable
        assertThat(k.grants(3)).hasToString("rw-");
        k.setMemory(3, KernelImage.Change.RO);
        assertThat(k.grants(3)).hasToString("r--");
        k.setMemory(3, KernelImage.Change.NX);
        assertThat(k.grants(3)).hasToString("r--");
        k.setMemory(3, KernelImage.Change.RW);
        assertThat(k.grants(3)).hasToString("rw-");
        k.setMemory(1, KernelImage.Change.RO); // stays executable
        assertThat(k.grants(1)).hasToString("r-x");
        k.setMemory(1, KernelImage.Change.NX);
        assertThat(k.grants(1)).hasToString("r--");
        k.setMemory(1, KernelImage.Change.X);
        assertThat(k.grants(1)).hasToString("r-x");
        assertThat(KernelImage.ALL.violations(k)).isEmpty();
    }

    @Test
    void theRenderingAndTheKey() {
        KernelImage a = KernelImage.boot(X86, KernelImage.Bug.NONE);
        KernelImage b = KernelImage.boot(X86, KernelImage.Bug.NONE);
        assertThat(a.key()).isNotNull().isEqualTo(b.key());
        assertThat(a.toString()).startsWith("KernelImage(" + X86.name() + ")\n").isEqualTo(b.toString());
        b.setMemory(3, KernelImage.Change.RO);
        assertThat(b.key()).isNotEqualTo(a.key());
        assertThat(new KernelImage.Grants(true, true, false, true)).hasToString("rw- user");
        assertThat(KernelImage.SECTIONS.get(1)).hasToString(".rodata[2, 3) r--");
        assertThat(KernelImage.SECTIONS.get(0)).hasToString(".text[0, 2) r-x");
    }
}
