package org.mmspec.mutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmspec.mutation.MutationRecord.Counts;
import org.mmspec.mutation.MutationRecord.Row;
import org.mmspec.mutation.MutationRecord.Totals;

/**
 * The bar test of issue 14: PIT is too slow for every build (README "Mutation testing"), so the
 * build checks instead that the recorded scores are fresh, complete and at their targets, and that
 * README shows them. The second half shows each rule failing on a deliberately broken record.
 */
class MutationRecordTest {

    private static final Path ROOT = Path.of("");

    @Test
    void theRecordHoldsForTheSourcesAsTheyAreNow() throws IOException {
        MutationRecord r = MutationRecord.read(MutationRecord.FILE);
        assertThat(r.problems(ROOT)).as("problems of %s", MutationRecord.FILE).isEmpty();
    }

    @Test
    void readmeShowsTheRecordedTotals() throws IOException {
        MutationRecord r = MutationRecord.read(MutationRecord.FILE);
        List<String> readme = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        assertThat(readmeProblems(r, readme)).isEmpty();
    }

    static List<String> readmeProblems(MutationRecord r, List<String> readme) {
        List<String> p = new ArrayList<>();
        Map<String, Totals> totals = r.totals();
        for (String pkg : MutationRecord.TARGETS.keySet()) {
            String want = MutationRecord.readmeCells(totals.getOrDefault(pkg, new Totals(pkg, 0, 0, 0, 0)));
            List<String> rows = readme.stream().filter(l -> l.startsWith("| `" + pkg + "` |")).toList();
            if (!rows.equals(List.of(want))) {
                p.add("MUTATION-RECORD readme: README's row for " + pkg + " should be exactly " + want + " but is " + rows
                        + " (print the table: tools/pit --summary)");
            }
        }
        return p;
    }

    // ---- each rule fails on a broken record ----

    @TempDir
    Path tmp;

    private Path project(String... files) throws IOException {
        for (String f : files) {
            Path p = tmp.resolve("src/main/java").resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "class " + p.getFileName() + " {}\n");
        }
        return tmp;
    }

    private static final String SHOOT = "org/mmspec/tlb/ShootdownProtocol.java";
    private static final String SMP = "org/mmspec/tlb/smp/SmpMachine.java";

    private MutationRecord measuredEverything(Path root, int mutants, int killed) throws IOException {
        MutationRecord r = new MutationRecord(Map.of(), Map.of());
        for (String s : MutationRecord.mainSources(root).keySet()) {
            String pkg = MutationRecord.mainSources(root).get(s);
            r.rows().put(s, new Row(pkg, s, mutants, killed,
                    MutationRecord.blobSha(Files.readAllBytes(root.resolve("src/main/java").resolve(s))), "2026-12-04 abc"));
        }
        return r;
    }

    private static Path everyTarget(Path root) throws IOException {
        for (String pkg : MutationRecord.TARGETS.keySet()) {
            Path p = root.resolve("src/main/java/org/mmspec").resolve(pkg).resolve("A.java");
            Files.createDirectories(p.getParent());
            Files.writeString(p, "class A {}\n");
        }
        return root;
    }

    @Test
    void aCompleteFreshRecordAtTargetHasNoProblems() throws IOException {
        Path root = everyTarget(project(SHOOT, SMP));
        assertThat(measuredEverything(root, 10, 9).problems(root)).isEmpty();
    }

    @Test
    void MUTATION_RECORD_missing_aNewSourceWithoutARowIsReported() throws IOException {
        Path root = everyTarget(project(SHOOT));
        MutationRecord r = measuredEverything(root, 10, 10);
        project(SMP);
        assertThat(r.problems(root)).singleElement().asString()
                .startsWith("MUTATION-RECORD missing: " + SMP).contains("tools/pit --record tlb");
        assertThat(r.addMissing(root)).containsExactly(SMP);
        assertThat(r.rows().get(SMP).isMeasured()).isFalse();
    }

    @Test
    void MUTATION_RECORD_gone_aRowForADeletedSourceIsReported() throws IOException {
        Path root = everyTarget(project(SHOOT, SMP));
        MutationRecord r = measuredEverything(root, 10, 10);
        Files.delete(root.resolve("src/main/java").resolve(SMP));
        assertThat(r.problems(root)).singleElement().asString().startsWith("MUTATION-RECORD gone: the row for " + SMP);
    }

    @Test
    void MUTATION_RECORD_stale_aSourceChangedSinceItWasMeasuredIsReported() throws IOException {
        Path root = everyTarget(project(SHOOT, SMP));
        MutationRecord r = measuredEverything(root, 10, 10);
        Files.writeString(root.resolve("src/main/java").resolve(SHOOT), "class ShootdownProtocol { int changed; }\n");
        assertThat(r.problems(root)).singleElement().asString()
                .startsWith("MUTATION-RECORD stale: " + SHOOT)
                .contains("tools/pit --record --classes 'org.mmspec.tlb.ShootdownProtocol*' tlb");
    }

    @Test
    void MUTATION_RECORD_counts_moreKilledThanMutantsIsReported() throws IOException {
        Path root = everyTarget(project(SHOOT));
        MutationRecord r = measuredEverything(root, 10, 10);
        Row ok = r.rows().get(SHOOT);
        r.rows().put(SHOOT, new Row(ok.pkg(), ok.source(), 3, 4, ok.sha(), ok.measured()));
        assertThat(r.problems(root)).singleElement().asString().startsWith("MUTATION-RECORD counts: " + SHOOT);
    }

    @Test
    void MUTATION_RECORD_package_aRowFiledUnderTheWrongPackageIsReported() throws IOException {
        Path root = everyTarget(project(SHOOT));
        MutationRecord r = measuredEverything(root, 10, 10);
        Row ok = r.rows().get(SHOOT);
        r.rows().put(SHOOT, new Row("vm", ok.source(), ok.mutants(), ok.killed(), ok.sha(), ok.measured()));
        assertThat(r.problems(root)).anySatisfy(s -> assertThat(s).startsWith("MUTATION-RECORD package: " + SHOOT));
    }

    @Test
    void MUTATION_RECORD_target_belowTargetNeedsAReasonAndAtTargetMustNotHaveOne() throws IOException {
        Path root = everyTarget(project(SHOOT));
        // tlb: 2 files at 10 mutants; 17 killed of 20 is 85 %, below the 90 % target.
        MutationRecord r = measuredEverything(root, 10, 10);
        Row ok = r.rows().get(SHOOT);
        r.rows().put(SHOOT, new Row(ok.pkg(), ok.source(), 10, 7, ok.sha(), ok.measured()));
        assertThat(r.problems(root)).singleElement().asString()
                .startsWith("MUTATION-RECORD target: tlb is at 85.0 %").contains("below its 90 % target");
        r.below().put("tlb", "ShootdownProtocol's survivors are waited on");
        assertThat(r.problems(root)).isEmpty();

        r.rows().put(SHOOT, ok);
        assertThat(r.problems(root)).singleElement().asString()
                .isEqualTo("MUTATION-RECORD target: tlb meets its 90 % target (100.0 %, every file measured); remove its 'below' line");
    }

    @Test
    void MUTATION_RECORD_target_theBoundaryIsInclusiveAndCheckHasItsOwnTarget() throws IOException {
        Path root = everyTarget(project());
        MutationRecord r = measuredEverything(root, 100, 90);
        Row check = r.rows().get("org/mmspec/check/A.java");
        r.rows().put(check.source(), new Row("check", check.source(), 100, 85, check.sha(), check.measured()));
        assertThat(r.problems(root)).as("90 %% meets 90 %%, 85 %% meets check's 85 %%").isEmpty();
        r.rows().put(check.source(), new Row("check", check.source(), 100, 84, check.sha(), check.measured()));
        assertThat(r.problems(root)).singleElement().asString().startsWith("MUTATION-RECORD target: check is at 84.0 %");
    }

    @Test
    void MUTATION_RECORD_target_anUnmeasuredFileKeepsAPackageBelowItsTarget() throws IOException {
        Path root = everyTarget(project(SHOOT));
        MutationRecord r = measuredEverything(root, 10, 10);
        r.rows().put(SHOOT, Row.unmeasured("tlb", SHOOT));
        assertThat(r.problems(root)).singleElement().asString().contains("with 1 unmeasured");
        assertThat(r.totals().get("tlb")).isEqualTo(new Totals("tlb", 10, 10, 2, 1));
    }

    @Test
    void MUTATION_RECORD_readme_aRowThatDisagreesWithTheRecordIsReported() throws IOException {
        Path root = everyTarget(project());
        MutationRecord r = measuredEverything(root, 1000, 950);
        List<String> readme = new ArrayList<>();
        for (Totals t : r.totals().values()) {
            readme.add(MutationRecord.readmeCells(t));
        }
        assertThat(readmeProblems(r, readme)).isEmpty();
        assertThat(readme).contains("| `tlb` | 1,000 | 950 | 95.0 % | 0 of 1 |");
        readme.set(readme.indexOf("| `tlb` | 1,000 | 950 | 95.0 % | 0 of 1 |"), "| `tlb` | 1,000 | 951 | 95.1 % | 0 of 1 |");
        assertThat(readmeProblems(r, readme)).singleElement().asString().startsWith("MUTATION-RECORD readme: README's row for tlb");
    }

    @Test
    void theRecordReadsBackWhatItWrites() throws IOException {
        Path root = everyTarget(project(SHOOT, SMP));
        MutationRecord r = measuredEverything(root, 12, 11);
        r.rows().put(SMP, Row.unmeasured("tlb", SMP));
        r.below().put("tlb", "SmpMachine not measured yet");
        Path f = tmp.resolve("scores.tsv");
        r.write(f);
        MutationRecord back = MutationRecord.read(f);
        assertThat(back.rows()).isEqualTo(r.rows());
        assertThat(back.below()).isEqualTo(r.below());
    }

    @Test
    void aMalformedLineIsRefusedWithItsLineNumber() throws IOException {
        Path f = tmp.resolve("bad.tsv");
        Files.writeString(f, "# comment\nrow\ttlb\tX.java\t3\n");
        assertThatThrownBy(() -> MutationRecord.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.tsv:2: expected 'row'");
        Files.writeString(f, "row\ttlb\tX.java\tmany\t1\tsha\t2026-12-04 abc\n");
        assertThatThrownBy(() -> MutationRecord.read(f)).hasMessageContaining("not a count: many");
    }

    // ---- the writer ----

    private static final String REPORT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <mutations>
            <mutation detected='true' status='KILLED'><sourceFile>ShootdownProtocol.java</sourceFile><mutatedClass>org.mmspec.tlb.ShootdownProtocol</mutatedClass></mutation>
            <mutation detected='true' status='TIMED_OUT'><sourceFile>ShootdownProtocol.java</sourceFile><mutatedClass>org.mmspec.tlb.ShootdownProtocol$Step</mutatedClass></mutation>
            <mutation detected='false' status='SURVIVED'><sourceFile>ShootdownProtocol.java</sourceFile><mutatedClass>org.mmspec.tlb.ShootdownProtocol</mutatedClass></mutation>
            <mutation detected='false' status='NO_COVERAGE'><sourceFile>SmpMachine.java</sourceFile><mutatedClass>org.mmspec.tlb.smp.SmpMachine</mutatedClass></mutation>
            <mutation detected='true' status='KILLED'><sourceFile>SmpMachine.java</sourceFile><mutatedClass>org.mmspec.tlb.smp.SmpMachine$Fill</mutatedClass></mutation>
            </mutations>
            """;

    private static Map<String, Counts> report(String xml) {
        return MutationRecord.readReport(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aReportCountsKilledAndTimedOutByTopLevelSourceFile() {
        assertThat(report(REPORT)).isEqualTo(new TreeMap<>(Map.of(SHOOT, new Counts(3, 2), SMP, new Counts(2, 1))));
    }

    @Test
    void aTruncatedReportIsRefused() {
        assertThat(report(REPORT.replace("<mutations>", "<mutations partial=\"true\">")))
                .as("PIT 1.30.2 marks finished reports partial too").isEqualTo(report(REPORT));
        assertThatThrownBy(() -> report(REPORT.substring(0, REPORT.indexOf("</mutations>"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a complete PIT report");
    }

    @Test
    void recordingARunReplacesTheRowsItsGlobCoversAndZeroesFilesWithoutMutants() throws IOException {
        Path root = everyTarget(project(SHOOT, SMP, "org/mmspec/tlb/smp/SmpInvariants.java"));
        MutationRecord r = new MutationRecord(Map.of(), Map.of());
        r.addMissing(root);
        Map<String, Counts> rep = report(REPORT);
        rep.remove(SHOOT);
        assertThat(r.record(root, "tlb", "org.mmspec.tlb.smp.*", rep, "2026-12-04 abc"))
                .containsExactly("org/mmspec/tlb/smp/SmpInvariants.java", SMP);
        assertThat(r.rows().get(SMP)).isEqualTo(new Row("tlb", SMP, 2, 1,
                MutationRecord.blobSha(Files.readAllBytes(root.resolve("src/main/java").resolve(SMP))), "2026-12-04 abc"));
        assertThat(r.rows().get("org/mmspec/tlb/smp/SmpInvariants.java").mutants()).isZero();
        assertThat(r.rows().get("org/mmspec/tlb/smp/SmpInvariants.java").isMeasured()).isTrue();
        assertThat(r.rows().get(SHOOT).isMeasured()).as("outside the glob: untouched").isFalse();
    }

    @Test
    void recordingRefusesAGlobThatIsNotTheRunsOwn() throws IOException {
        Path root = everyTarget(project(SHOOT, SMP));
        MutationRecord r = new MutationRecord(Map.of(), Map.of());
        assertThatThrownBy(() -> r.record(root, "tlb", "org.mmspec.tlb.smp.*", report(REPORT), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mutants of " + SHOOT);
        assertThatThrownBy(() -> r.record(root, "tlb", "org.mmspec.tlb.Nothing*", Map.of(), "x"))
                .hasMessageContaining("covers no main source file");
        assertThatThrownBy(() -> r.record(root, "pcp", "org.mmspec.pcp.*", Map.of(), "x"))
                .hasMessageContaining("no mutation target for package pcp");
        assertThat(r.rows()).as("a refused run writes nothing").isEmpty();
    }

    @Test
    void theBlobHashIsGitsOwn() {
        // `printf 'hello\n' | git hash-object --stdin`
        assertThat(MutationRecord.blobSha("hello\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
    }

    @Test
    void globsMatchAsPitsDo() {
        assertThat(MutationRecord.glob("org.mmspec.tlb.*").matcher("org.mmspec.tlb.smp.SmpMachine").matches()).isTrue();
        assertThat(MutationRecord.glob("org.mmspec.tlb.Shoot*").matcher("org.mmspec.tlb.ShootdownModel").matches()).isTrue();
        assertThat(MutationRecord.glob("org.mmspec.tlb.Shoot*").matcher("org.mmspec.tlbXShoot").matches()).isFalse();
        assertThat(MutationRecord.glob("org.mmspec.tlb.?pu*").matcher("org.mmspec.tlb.CpuMask").matches()).isTrue();
        assertThat(MutationRecord.glob("org.mmspec.vm.Prot*|org.mmspec.vm.Vma*").matcher("org.mmspec.vm.Vma").matches()).isTrue();
        assertThat(MutationRecord.glob("org.mmspec.vm.Prot*|org.mmspec.vm.Vma*").matcher("org.mmspec.vm.Layout").matches()).isFalse();
        assertThat(MutationRecord.glob("~org\\.mmspec\\.paging\\.(Mmu|TreeScan)(\\$.*)?").matcher("org.mmspec.paging.Mmu").matches()).isTrue();
        assertThat(MutationRecord.glob("~org\\.mmspec\\.paging\\.(Mmu|TreeScan)(\\$.*)?").matcher("org.mmspec.paging.MmuX").matches()).isFalse();
    }
}
