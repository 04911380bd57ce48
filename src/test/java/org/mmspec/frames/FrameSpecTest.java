package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Invariant;

/**
 * {@code spec/frames.md} and {@link FrameInvariants} say the same thing: each invariant ID is
 * defined by exactly one table row of the chapter, with the statement the code reports.
 */
class FrameSpecTest {

    @Test
    void everyInvariantIsDefinedOnceInTheSpecWithTheSameStatement() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("spec", "frames.md"));
        List<Invariant<?>> all = new ArrayList<>();
        all.addAll(FrameInvariants.BITMAP.invariants());
        all.addAll(FrameInvariants.BUDDY.invariants());
        all.addAll(FrameInvariants.HYBRID.invariants());
        for (Invariant<?> inv : all) {
            List<String> rows = lines.stream().filter(l -> l.startsWith("| " + inv.id() + " |")).toList();
            assertThat(rows).as("definition rows of %s", inv.id()).hasSize(1);
            String statement = rows.get(0).split("\\|")[2].trim();
            assertThat(statement).as("statement of %s", inv.id()).isEqualTo(inv.statement());
        }
    }
}
