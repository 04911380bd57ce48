package org.mmspec.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Counterexample;
import org.mmspec.check.CounterexampleFile;
import org.mmspec.frames.BuddyAllocator;
import org.mmspec.paging.PagingFormats;
import org.mmspec.paging.Walk;

/** The diagrams draw the state they are given: every free block, every entry read, every CPU. */
class DiagramsTest {
    private static int count(String svg, String regex) {
        Matcher m = Pattern.compile(regex).matcher(svg);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void buddyMapDrawsEveryFreeBlockOfTheRealAllocator() {
        List<String> ops = new ArrayList<>();
        BuddyAllocator b = Diagrams.sampleBuddy(ops);
        String svg = Diagrams.buddyMap(b);
        int blocks = 0;
        for (int k = 0; k <= b.maxOrder(); k++) {
            blocks += b.freeBlocks(k).size();
            for (long s : b.freeBlocks(k)) {
                assertThat(svg).containsPattern(">(free )?@" + s + "<");
            }
        }
        assertThat(blocks).isPositive();
        assertThat(count(svg, "stroke=\"#0e4d31\" rx=\"4\"")).isEqualTo(blocks);
        assertThat(svg).contains(b.freeFrames() + " free, 32 managed, " + b.live().size() + " live allocations");
        assertThat(ops).hasSize(5);
    }

    @Test
    void pageWalkShowsEachLevelsRawEntryAndTheTranslation() {
        for (String format : List.of("x86_64", "sv39", "x86_64-la57", "sv57")) {
            Walk walk = Diagrams.sampleWalk(PagingFormats.byName(format));
            assertThat(walk.translated()).as(format).isTrue();
            String svg = Diagrams.pageWalk(PagingFormats.byName(format), walk);
            assertThat(walk.steps()).hasSize(PagingFormats.byName(format).levels());
            for (Walk.StepRead s : walk.steps()) {
                assertThat(svg).contains(String.format("0x%016x", s.raw()), "[" + s.index() + "]");
            }
            assertThat(svg).contains("translates to " + walk.translation().get().pa());
        }
        assertThat(Diagrams.pageWalk(PagingFormats.byName("x86_64"), Diagrams.sampleWalk(PagingFormats.byName("x86_64"))))
                .contains("PML4", "PDPT", "PD [", "PT [", "NO_EXECUTE");
        assertThat(Diagrams.pageWalk(PagingFormats.byName("x86_64-la57"), Diagrams.sampleWalk(PagingFormats.byName("x86_64-la57"))))
                .as("5-level paging draws its PML5").contains("PML5", "PML4", "PT [");
    }

    @Test
    void timelineHasOneColumnPerCpuAndEndsWithTheViolation() {
        Counterexample c = new Counterexample(List.of(
                new Counterexample.TraceStep("init", "PT[p0=f0]\n  cpu0 idle\n  cpu1 idle\n  cpu3 idle"),
                new Counterexample.TraceStep("cpu0 munmap(p0): send IPIs to {cpu1,cpu3}", "PT[p0=-]\n  cpu0 waiting\n  cpu1 mailbox{cpu0}\n  cpu3 idle"),
                new Counterexample.TraceStep("cpu1 takes IPI from cpu0, ack cpu0", "PT[p0=-]\n  cpu0 waiting\n  cpu1 acked\n  cpu3 idle")),
                "DEMO-1 violated: <stale & wrong>", "DEMO-1");
        String svg = Diagrams.timeline(new CounterexampleFile("demo", c));
        assertThat(svg).contains(">cpu0<", ">cpu1<", ">cpu3<").doesNotContain(">cpu2<");
        assertThat(svg).contains("breaks DEMO-1", "=&gt; DEMO-1 violated: &lt;stale &amp; wrong&gt;");
        assertThat(count(svg, "marker-end=\"url\\(#arrow\\)\"")).isEqualTo(3); // two IPIs sent, one taken
    }
}
