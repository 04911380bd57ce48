package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.vm.Prot;

/**
 * What the replay reads, rule by rule: the arguments of each memory call (their count, file
 * descriptors as {@code -y} prints them, protections and flags in both of strace's notations),
 * the lines of a maps file (which are left out, which are malformed, and the line an error names),
 * the text a call is quoted with, and which clone lines start a process.
 */
class ReplayInputTest {
    static TraceEvent event(String line) {
        return StraceParser.parse(List.of(line)).get(0);
    }

    static ReplayError decodeError(String line) {
        try {
            MmapArgs.decode(event(line));
        } catch (ReplayError e) {
            return e;
        }
        throw new AssertionError("decoded without error: " + line);
    }

    @Test
    void eachMemoryCallTakesExactlyItsArguments() {
        assertThat(decodeError("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1) = 0x7f0000000000").detail())
                .isEqualTo("mmap takes 6 arguments, not 5");
        assertThat(decodeError("mprotect(0x7f0000000000, 4096) = 0").detail()).isEqualTo("mprotect takes 3 arguments, not 2");
        assertThat(decodeError("pkey_mprotect(0x7f0000000000, 4096, PROT_READ) = 0").detail())
                .isEqualTo("pkey_mprotect takes 4 arguments, not 3");
        assertThat(decodeError("madvise(0x7f0000000000, 4096) = 0").detail()).isEqualTo("madvise takes 3 arguments, not 2");
        assertThat(decodeError("munmap(0x7f0000000000) = 0").detail()).isEqualTo("munmap takes 2 arguments, not 1");
        assertThat(decodeError("brk(NULL, 1) = 0x5555").detail()).isEqualTo("brk takes 1 arguments, not 2");
        assertThat(decodeError("brk(NULL, 1) = 0x5555").errorKind()).isEqualTo(ReplayError.Kind.BAD_ARGUMENT);
    }

    @Test
    void aFileDescriptorIsAFileFromZeroUpAndItsPathComesFromDashY() {
        MmapArgs fd0 = MmapArgs.decode(event("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 0, 0) = 0x7f0000000000"));
        assertThat(fd0.file()).as("fd 0 is a file").isEqualTo("fd0");
        assertThat(fd0.flags().anonymous()).isFalse();
        MmapArgs anon = MmapArgs.decode(event("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"));
        assertThat(anon.file()).isNull();
        assertThat(MmapArgs.decode(event("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</lib/x.so>, 8192) = 0x7f0000000000")))
                .satisfies(a -> {
                    assertThat(a.file()).isEqualTo("/lib/x.so");
                    assertThat(a.offset()).isEqualTo(8192);
                    assertThat(a.length()).isEqualTo(4096);
                });
    }

    @Test
    void protectionsAreReadByNameOrAsBits() {
        TraceEvent e = event("mprotect(0x7f0000000000, 4096, PROT_NONE) = 0");
        assertThat(MmapArgs.prot("PROT_READ|PROT_EXEC", e)).isEqualTo(Prot.ofBits(Prot.PROT_READ | Prot.PROT_EXEC));
        assertThat(MmapArgs.prot("PROT_NONE", e)).isEqualTo(Prot.ofBits(0));
        assertThat(MmapArgs.prot("0x3", e)).isEqualTo(Prot.ofBits(Prot.PROT_READ | Prot.PROT_WRITE));
        assertThat(MmapArgs.prot("7", e)).isEqualTo(Prot.ofBits(7));
        assertThatThrownBy(() -> MmapArgs.prot("0x8", e)).isInstanceOfSatisfying(ReplayError.class,
                r -> assertThat(r.detail()).isEqualTo("unmodelled PROT bits in 0x8"));
        assertThatThrownBy(() -> MmapArgs.prot("0x1000000", e)).isInstanceOf(ReplayError.class);
        assertThatThrownBy(() -> MmapArgs.prot("", e)).isInstanceOfSatisfying(ReplayError.class,
                r -> assertThat(r.detail()).isEqualTo("empty protection"));
        assertThatThrownBy(() -> MmapArgs.prot("PROT_SEM", e)).isInstanceOfSatisfying(ReplayError.class,
                r -> assertThat(r.detail()).isEqualTo("unknown protection 'PROT_SEM'"));
    }

    @Test
    void flagsNameExactlyOneOfSharedAndPrivateAndUnmodelledOnesAreIgnoredByName() {
        TraceEvent e = event("mprotect(0x7f0000000000, 4096, PROT_NONE) = 0");
        assertThat(MmapArgs.flags("MAP_SHARED_VALIDATE|MAP_ANON|MAP_FIXED_NOREPLACE|MAP_NORESERVE|MAP_POPULATE", e))
                .satisfies(f -> {
                    assertThat(f.shared()).isTrue();
                    assertThat(f.anonymous()).isTrue();
                    assertThat(f.fixed()).isFalse();
                    assertThat(f.fixedNoReplace()).isTrue();
                    assertThat(f.noReserve()).isTrue();
                });
        assertThat(MmapArgs.flags("MAP_PRIVATE|MAP_FIXED|MAP_HUGE_2MB|0x40000", e).fixed()).isTrue();
        assertThatThrownBy(() -> MmapArgs.flags("MAP_PRIVATE|MAP_BOGUS", e)).isInstanceOfSatisfying(ReplayError.class,
                r -> assertThat(r.detail()).isEqualTo("unknown mmap flag 'MAP_BOGUS'"));
        assertThatThrownBy(() -> MmapArgs.flags("MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB", e))
                .isInstanceOfSatisfying(ReplayError.class, r -> {
                    assertThat(r.errorKind()).isEqualTo(ReplayError.Kind.BAD_ARGUMENT);
                    assertThat(r.detail()).startsWith("MAP_HUGETLB is not replayed");
                });
        assertThatThrownBy(() -> MmapArgs.flags("MAP_ANONYMOUS", e)).isInstanceOfSatisfying(ReplayError.class,
                r -> assertThat(r.detail()).isEqualTo("flags must name exactly one of MAP_SHARED, MAP_PRIVATE: MAP_ANONYMOUS"));
        assertThatThrownBy(() -> MmapArgs.flags("MAP_SHARED|MAP_PRIVATE", e)).isInstanceOf(ReplayError.class);
    }

    @Test
    void mapsLinesAboveUserSpaceAreLeftOutAndBadOnesNameTheirLine() {
        List<MapsEntry> m = MapsEntry.parse(List.of("7f0000000000-7f0000002000 rw-s 00001000 00:05 7 /dev/shm/x", "",
                "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]",
                "7ffffffff000-800000000000 r--p 00000000 00:00 0 [top]"));
        assertThat(m).hasSize(2);
        assertThat(m.get(0)).satisfies(x -> {
            assertThat(x.line()).isEqualTo(1);
            assertThat(x.shared()).isTrue();
            assertThat(x.offset()).isEqualTo(0x1000);
            assertThat(x.path()).isEqualTo("/dev/shm/x");
            assertThat(x.endPage() - x.startPage()).isEqualTo(2);
        });
        assertThat(m.get(1).line()).as("the last page below 2^47 is user space").isEqualTo(4);
        assertThat(m.get(1).shared()).isFalse();
        assertThat(MapsEntry.parse(List.of("800000000000-800000001000 r--p 00000000 00:00 0"))).isEmpty();

        assertThat(mapsError("7f0000000000-7f0000001000 rw-p 0 00:00 0", "hello")).satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.inMaps()).isTrue();
        });
        assertThat(mapsError("", "1ffffffffffffffff-7f0000001000 rw-p 00000000 00:00 0").detail())
                .startsWith("address out of range in '1ffffffffffffffff-");
        assertThat(mapsError("", "1ffffffffffffffff-7f0000001000 rw-p 00000000 00:00 0").line()).isEqualTo(2);
        assertThat(mapsError("7f0000000000-7f0000001000 rw-p 0 00:00 0", "", "7f0000001000-7f0000001000 rw-p 00000000 00:00 0")).satisfies(e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.detail()).startsWith("range is empty or not page-aligned: ");
        });
        assertThat(mapsError("7f0000001000-7f0000000000 rw-p 00000000 00:00 0").detail()).startsWith("range is empty");
        assertThat(mapsError("7f0000000800-7f0000001000 rw-p 00000000 00:00 0").detail()).startsWith("range is empty or not");
        assertThat(mapsError("7f0000000000-7f0000001800 rw-p 00000000 00:00 0").detail()).startsWith("range is empty or not");
    }

    static ReplayError mapsError(String... lines) {
        List<String> in = List.of(lines);
        try {
            MapsEntry.parse(in);
        } catch (ReplayError e) {
            return e;
        }
        throw new AssertionError("parsed without error: " + in);
    }

    @Test
    void aSnapshotWithoutMapsLinesSaysWhereItLooked() {
        assertThatThrownBy(() -> MapsEntry.parseSnapshot(List.of()))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.detail()).isEqualTo("the maps input is empty");
                    assertThat(e.line()).isEqualTo(1);
                });
        assertThatThrownBy(() -> MapsEntry.parseSnapshot(List.of("hello", "=== /proc/self/maps ===", "")))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.detail()).isEqualTo("no maps line (expected 'start-end perms offset dev inode [path]')"
                            + " after the marker on line 2");
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.inMaps()).isTrue();
                });
        assertThatThrownBy(() -> MapsEntry.parseSnapshot(List.of(" ")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail())
                        .isEqualTo("no maps line (expected 'start-end perms offset dev inode [path]')"));
        ReplayError traceError = new ReplayError(ReplayError.Kind.MALFORMED_LINE, 1, "x");
        assertThat(traceError.inMaps()).isFalse();
        assertThat(new ReplayError(ReplayError.Kind.BAD_ARGUMENT, 1, "x").inMaps()).isFalse();
    }

    @Test
    void aCallIsQuotedAsStracePrintedIt() {
        assertThat(event("brk(NULL) = 0xffff").text()).isEqualTo("brk(NULL) = 65535");
        assertThat(event("brk(NULL) = 0x10000").text()).isEqualTo("brk(NULL) = 0x10000");
        assertThat(event("brk(NULL) = 0").text()).isEqualTo("brk(NULL) = 0");
        assertThat(event("munmap(0x1000, 4096) = -1 EINVAL (Invalid argument)").text()).isEqualTo("munmap(0x1000, 4096) = -1 EINVAL");
        assertThat(event("munmap(0x1000, 4096) = ?").text()).isEqualTo("munmap(0x1000, 4096) = ?");
        assertThat(event("7 munmap(0x1000, 4096) = 0").toString()).isEqualTo("line 1: munmap(0x1000, 4096) = 0x0");
        assertThat(event("munmap(0x1000, 4096) = -1 EINVAL (Invalid argument)").toString())
                .isEqualTo("line 1: munmap(0x1000, 4096) = -1 EINVAL");
    }

    @Test
    void argumentsSplitAtTopLevelCommasOnly() {
        assertThat(StraceParser.splitArgs("\"a\\\"b, c\", {x=1, y=[2, 3]}, f(4, 5), <p, q>", 1))
                .containsExactly("\"a\\\"b, c\"", "{x=1, y=[2, 3]}", "f(4, 5)", "<p, q>");
        assertThat(StraceParser.splitArgs("", 1)).isEmpty();
        assertThat(StraceParser.splitArgs("a, ", 1)).containsExactly("a", "");
        assertThat(StraceParser.splitArgs("{a => b}, c", 1)).containsExactly("{a => b}", "c");
        assertThat(StraceParser.splitArgs("\"x\\\\\", y", 1)).as("an escaped backslash ends before the quote")
                .containsExactly("\"x\\\\\"", "y");
        assertThatThrownBy(() -> StraceParser.splitArgs("a), b", 3)).isInstanceOfSatisfying(ReplayError.class,
                e -> assertThat(e.detail()).isEqualTo("unbalanced ')' in arguments"));
        assertThatThrownBy(() -> StraceParser.splitArgs("\"a", 3)).isInstanceOfSatisfying(ReplayError.class,
                e -> assertThat(e.detail()).isEqualTo("unterminated quote or bracket in arguments"));
        assertThat(StraceParser.abbreviate("x".repeat(120))).hasSize(120);
        assertThat(StraceParser.abbreviate("x".repeat(121))).hasSize(120).endsWith("...");
    }

    @Test
    void aResumedCallNeedsTheSameThreadsUnfinishedCallOfTheSameName() {
        assertThatThrownBy(() -> StraceParser.parse(List.of("7 mmap(NULL, 4096 <unfinished ...>",
                "7 <... munmap resumed>) = 0"))).isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.UNMATCHED_RESUME);
                    assertThat(e.line()).isEqualTo(2);
                });
        List<TraceEvent> ev = StraceParser.parse(List.of("7 mmap(NULL, 4096 <unfinished ...>", "8 brk(NULL) = 0x5000",
                "7 <... mmap resumed>, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"));
        assertThat(ev).extracting(TraceEvent::call).containsExactly("brk", "mmap");
        assertThat(ev.get(1).line()).isEqualTo(3);
        assertThat(ev.get(1).args()).hasSize(6);
        assertThatThrownBy(() -> StraceParser.parse(List.of("*** garbage"))).isInstanceOfSatisfying(ReplayError.class,
                e -> assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.MALFORMED_LINE));
        // A call the replay does not read may end in a result it cannot parse: counted, not rejected.
        assertThat(StraceParser.parse(List.of("7 getcwd(\"/\", 4096) = weird")).get(0).errno()).isEqualTo("?");
        assertThatThrownBy(() -> StraceParser.parse(List.of("7 munmap(0x1000, 4096) = weird")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail()).isEqualTo("unreadable result 'weird'"));
    }

    @Test
    void aCloneStartsAProcessOnlyWhenItSucceededWithAChildId() {
        String[] trace = {"100 execve(\"/bin/x\", [\"x\"], 0x7ffd0 /* 1 vars */) = 0",
                "100 clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)",
                "100 clone(child_stack=NULL, flags=SIGCHLD) = 0",
                "100 fork() = 102",
                "101 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "102 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"};
        Processes p = Processes.of(StraceParser.parse(List.of(trace)));
        // 102 is a forked child of 100; 101 appears without a clone line while clones are traced: its own process.
        // Spaces are numbered as their first call appears: 100's before and after its exec, 101, 102.
        assertThat(p.spaces).extracting(Processes.Space::leader).containsExactly(100, 100, 101, 102);
        assertThat(p.spaces.get(3).parent()).isEqualTo(1);
        assertThat(p.spaces.get(2).parent()).isEqualTo(-1);
        assertThat(p.assumedThreads).isEmpty();
        assertThat(ReplayHarness.processes(List.of(trace))).containsExactly(101, 102);
    }

    @Test
    void anExecveatStartsANewSpaceAndOnlyASucceededOpenOfMapsIsTheSnapshot() {
        String[] trace = {"100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "100 execveat(3, \"\", [\"x\"], 0x7ffd0, AT_EMPTY_PATH) = 0",
                "100 open(\"/proc/self/maps\", O_RDONLY) = -1 ENOENT (No such file or directory)",
                "100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "100 open(\"/proc/self/maps\", O_RDONLY) = 3"};
        Processes p = Processes.of(StraceParser.parse(List.of(trace)));
        assertThat(p.spaces).hasSize(2);
        assertThat(p.mapsOpen).isPresent();
        assertThat(p.mapsOpen.get().index()).isEqualTo(4);
        assertThat(p.history(1)).containsExactly(2, 3, 4);
        assertThat(Processes.isMapsOpen(event("open(\"/proc/self/maps\", O_RDONLY) = 3"))).isTrue();
        assertThat(Processes.isMapsOpen(event("openat(AT_FDCWD, \"/proc/self/maps\", O_RDONLY) = 3"))).isTrue();
        assertThat(Processes.isMapsOpen(event("openat(AT_FDCWD, \"/proc/self/smaps\", O_RDONLY) = 3"))).isFalse();
    }

    @Test
    void aForkedChildsHistoryIsItsParentsCallsBeforeTheForkThenItsOwn() {
        String[] trace = {"100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "100 fork() = 101",
                "100 munmap(0x7f0000000000, 4096) = 0",
                "101 mprotect(0x7f0000000000, 4096, PROT_NONE) = 0"};
        Processes p = Processes.of(StraceParser.parse(List.of(trace)));
        int child = p.lastSpace.get(101);
        assertThat(p.history(child)).as("the parent's mmap before the fork (not the fork itself), then the child's mprotect")
                .containsExactly(0, 3);
        assertThat(p.history(p.lastSpace.get(100))).containsExactly(0, 1, 2);
    }
}
