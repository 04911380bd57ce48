package org.mmspec.vm;

/**
 * Where an address space puts things, in virtual page numbers: the user range, the top-down mmap
 * base, the stack and its limits, and the start of the heap. One value object, so the bounds of a
 * small model and of Linux x86_64 live in one place.
 *
 * @param minPage first mappable page ({@code mmap_min_addr}; Linux default 64 KiB = page 16)
 * @param topPage one past the last user page ({@code TASK_SIZE})
 * @param mmapBase top of the top-down mmap search ({@code mm->mmap_base})
 * @param legacyBase bottom of the bottom-up fallback search ({@code mm->mmap_legacy_base})
 * @param stackTop one past the stack's highest page
 * @param stackInitialPages pages of stack present after exec
 * @param stackLimitPages most pages the stack may grow to ({@code RLIMIT_STACK})
 * @param guardGapPages pages below a stack that no other accessible area may occupy when the
 *     stack grows, and that top-down mmap keeps clear ({@code stack_guard_gap})
 * @param startBrkPage first page of the heap ({@code mm->start_brk})
 * @param brkLimitPages most pages the heap may hold ({@code RLIMIT_DATA})
 */
public record Layout(long minPage, long topPage, long mmapBase, long legacyBase, long stackTop, long stackInitialPages,
        long stackLimitPages, long guardGapPages, long startBrkPage, long brkLimitPages) {

    /** Linux x86_64 {@code TASK_SIZE} in pages (0x7ffffffff000 bytes). */
    public static final long LINUX_TOP_PAGE = 0x7ffffffffL;
    /** Linux's default {@code mmap_min_addr}, 64 KiB, in pages. */
    public static final long LINUX_MIN_PAGE = 16;
    /** Linux's default {@code stack_guard_gap}, 1 MiB, in pages. */
    public static final long LINUX_GUARD_GAP_PAGES = 256;
    /** The default {@code RLIMIT_STACK}, 8 MiB, in pages. */
    public static final long LINUX_STACK_LIMIT_PAGES = 2048;

    public Layout {
        if (!(0 < minPage && minPage <= legacyBase && legacyBase <= mmapBase && mmapBase <= stackTop
                && stackTop <= topPage && stackInitialPages >= 1 && stackInitialPages <= stackLimitPages
                && stackTop - stackLimitPages >= minPage && minPage <= startBrkPage && startBrkPage < mmapBase)) {
            throw new IllegalArgumentException("inconsistent layout " + this);
        }
    }

    /**
     * The small layout of the exhaustive models: {@code pages} pages of which page 0 is never
     * mapped, the stack at the top with one initial page, a guard gap of one page and a limit of
     * three, the mmap base just below the stack's reach, and a heap of at most three pages from
     * page 2.
     */
    public static Layout small(long pages) {
        long stackLimit = 3;
        long guard = 1;
        return new Layout(1, pages, pages - stackLimit - guard, 1, pages, 1, stackLimit, guard, 2, 3);
    }

    /** Linux x86_64 without randomization (ASLR adds offsets, see {@link Aslr}). */
    public static Layout linuxX86_64() {
        long stackTop = LINUX_TOP_PAGE;
        long mmapBase = stackTop - (128L << 20 >>> Vma.PAGE_SHIFT) - LINUX_GUARD_GAP_PAGES;
        return new Layout(LINUX_MIN_PAGE, LINUX_TOP_PAGE, mmapBase, LINUX_TOP_PAGE / 3, stackTop, 33,
                LINUX_STACK_LIMIT_PAGES, LINUX_GUARD_GAP_PAGES, 0x555555554L + 0x2000, 1L << 20);
    }

    /** The lowest page the stack may grow down to. */
    public long stackFloor() {
        return stackTop - stackLimitPages;
    }
}
