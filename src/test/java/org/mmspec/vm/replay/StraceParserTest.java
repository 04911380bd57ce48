package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The trace and maps parsers: accepted forms, rejected lines with their numbers, and fuzzing. */
class StraceParserTest {

    @Test
    void readsCallsErrorsSignalsExitsAndSplitCalls() {
        List<TraceEvent> ev = StraceParser.parse(List.of(
                "101 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "101 mprotect(0x7f0000000000, 4096, PROT_NONE <unfinished ...>",
                "102 munmap(0x7f0000100000, 4096)     = 0",
                "101 <... mprotect resumed>)            = 0",
                "102 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---",
                "brk(NULL) = 0x555555560000",
                "101 mprotect(0x7f0000000001, 4096, PROT_READ) = -1 EINVAL (Invalid argument)",
                "101 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</usr/lib/a, b.so>, 0) = 0x7f0000200000",
                "102 +++ exited with 0 +++"));
        assertThat(ev).extracting(TraceEvent::call).containsExactly("mmap", "munmap", "mprotect", "brk", "mprotect", "mmap");
        assertThat(ev.get(2).args()).containsExactly("0x7f0000000000", "4096", "PROT_NONE");
        assertThat(ev.get(2).line()).isEqualTo(4);
        assertThat(ev.get(4).errno()).isEqualTo("EINVAL");
        assertThat(ev.get(5).args().get(4)).isEqualTo("3</usr/lib/a, b.so>");
        assertThat(MmapArgs.decode(ev.get(5)).file()).isEqualTo("/usr/lib/a, b.so");
    }

    @Test
    void rejectsMalformedLinesNamingTheLine() {
        assertThatThrownBy(() -> StraceParser.parse(List.of("101 brk(NULL) = 0x1000", "101 mmap(NULL, 4096 = 0x7f00")))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith("line 2: ");
                });
        assertThatThrownBy(() -> StraceParser.parse(List.of("", "7 <... munmap resumed>) = 0")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.UNMATCHED_RESUME));
        assertThatThrownBy(() -> StraceParser.parse(List.of("brk(NULL) = banana")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.line()).isEqualTo(1));
        assertThatThrownBy(() -> MapsEntry.parse(List.of("7f00-7f01 rw-p 0 00:00 0", "hello")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.MALFORMED_MAPS));
    }

    @Test
    void badArgumentsOfAWellFormedCallAreRejectedByTheHarnessWithTheLine() {
        List<String> trace = List.of("1 brk(NULL) = 0x555555560000",
                "1 mmap(NULL, 4096, PROT_READ|PROT_BOGUS, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000");
        assertThatThrownBy(() -> ReplayHarness.run("bad", trace, List.of("00400000-00401000 r--p 00000000 00:00 0")))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("PROT_BOGUS");
                });
    }

    /** Garbage and mutated real lines: the parser and harness either accept or throw ReplayError, never anything else. */
    @Test
    void fuzzedInputNeverCrashesTheParserOrTheHarness() throws IOException {
        List<String> real = ReplayFixturesTest.resource("python/trace.strace");
        List<String> maps = ReplayFixturesTest.resource("python/maps.txt");
        String alphabet = "0123456789abcdefx()<>{}[],|=-. \"?NULLPROT_MAPmmapbrkunfinishedresumed\\";
        SplittableRandom r = new SplittableRandom(20261126);
        int rejected = 0;
        for (int round = 0; round < 400; round++) {
            List<String> t = new ArrayList<>(real.subList(0, Math.min(real.size(), 40)));
            int edits = 1 + r.nextInt(4);
            for (int k = 0; k < edits; k++) {
                int i = r.nextInt(t.size());
                StringBuilder line = new StringBuilder(t.get(i));
                switch (r.nextInt(4)) {
                    case 0 -> line.setLength(r.nextInt(line.length() + 1));
                    case 1 -> line.insert(r.nextInt(line.length() + 1), alphabet.charAt(r.nextInt(alphabet.length())));
                    case 2 -> {
                        if (line.length() > 0) {
                            line.deleteCharAt(r.nextInt(line.length()));
                        }
                    }
                    default -> {
                        line.setLength(0);
                        for (int c = r.nextInt(60); c > 0; c--) {
                            line.append(alphabet.charAt(r.nextInt(alphabet.length())));
                        }
                    }
                }
                t.set(i, line.toString());
            }
            List<String> m = new ArrayList<>(maps);
            if (r.nextInt(4) == 0) {
                int i = r.nextInt(m.size());
                m.set(i, m.get(i).substring(0, r.nextInt(m.get(i).length() + 1)));
            }
            try {
                ReplayHarness.run("fuzz", t, m);
            } catch (ReplayError expected) {
                rejected++;
                assertThat(expected.line()).isPositive();
            }
        }
        System.out.println("fuzz: 400 mutated traces, " + rejected + " rejected with a line number, none crashed");
        assertThat(rejected).isPositive();
    }
}
