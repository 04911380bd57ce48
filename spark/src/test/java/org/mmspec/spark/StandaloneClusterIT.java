package org.mmspec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;

/**
 * The engine on a real multi-process cluster: a standalone master and two workers on 127.0.0.1
 * ({@link LocalCluster}), executors in their own JVMs loading the engine and the models from the
 * spark-submit jar the driver ships. Runs after {@code package} (failsafe), which builds that jar.
 */
class StandaloneClusterIT {
    /** Under target/ (not a JUnit temporary folder): SPARK_HOME's links and the daemons' logs stay for reading. */
    private static Path dir;
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createDirectories(Path.of(System.getProperty("mmspec.spark.lib")).resolveSibling("cluster"));
        cluster = LocalCluster.start(Path.of(System.getProperty("mmspec.spark.lib")), dir, 2, "768m");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(cluster == null || cluster.executors().isEmpty()).as("no executor left running").isTrue();
    }

    private static JavaSparkContext context(String name) throws Exception {
        SparkConf conf = SparkSetup.conf(cluster.master, name, false)
                .set("spark.jars", System.getProperty("mmspec.spark.submitJar"))
                .set("spark.executor.memory", "512m")
                .set("spark.cores.max", "2");
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        sc.setCheckpointDir(Files.createTempDirectory(dir, "checkpoints").toString());
        return sc;
    }

    private static Manifest tlb() {
        return Manifest.load("tlb-shootdown");
    }

    @Test
    void aModelRunsEndToEndOnTwoWorkersWithTheRecordedCounts() throws Exception {
        Manifest m = tlb();
        try (JavaSparkContext sc = context("mmspec-cluster-range")) {
            SparkExplorer.Run run = SparkExplorer.explore(sc, new ModelSpec("tlb-shootdown", m.get("range.bounds")),
                    m.exploreBounds("range"), new SparkExplorer.Settings(2, 5), null);
            ExplorationResult r = run.result();
            assertThat(r.passed()).isTrue();
            assertThat(r.distinctStates()).isEqualTo(Long.parseLong(m.get("range.states")));
            assertThat(r.transitions()).isEqualTo(Long.parseLong(m.get("range.transitions")));
            assertThat(r.depth()).isEqualTo(Integer.parseInt(m.get("range.reached")));
            assertThat(run.shuffleBytes()).isPositive();
            // the driver and two executors, each in its own JVM under a worker
            assertThat(sc.sc().statusTracker().getExecutorInfos()).hasSize(3);
            assertThat(cluster.executors()).hasSize(2);
        }
    }

    @Test
    void killingAnExecutorMidRunNeverUndercounts() throws Exception {
        Manifest m = tlb();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);
        ExecutorService driver = Executors.newSingleThreadExecutor();
        try (JavaSparkContext sc = context("mmspec-cluster-kill")) {
            Future<SparkExplorer.Run> run = driver.submit(() -> SparkExplorer.explore(sc,
                    new ModelSpec("tlb-shootdown", m.get("single.bounds")), m.exploreBounds("single"),
                    new SparkExplorer.Settings(2, 3), progress));
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!log.toString(StandardCharsets.UTF_8).contains("level 8,") && System.nanoTime() < until && !run.isDone()) {
                Thread.sleep(100);
            }
            List<ProcessHandle> executors = cluster.executors();
            assertThat(run.isDone()).as("the run was still going when the executor was killed").isFalse();
            assertThat(executors).isNotEmpty();
            executors.get(0).destroyForcibly();
            try {
                ExplorationResult r = run.get(5, TimeUnit.MINUTES).result();
                // Spark retried the lost tasks and recomputed the lost partitions: the same counts
                assertThat(r.passed()).isTrue();
                assertThat(r.distinctStates()).isEqualTo(Long.parseLong(m.get("single.states")));
                assertThat(r.transitions()).isEqualTo(Long.parseLong(m.get("single.transitions")));
                assertThat(r.depth()).isEqualTo(Integer.parseInt(m.get("single.reached")));
                System.out.println("executor killed mid-run: retried, same counts: " + r.summary());
            } catch (java.util.concurrent.ExecutionException e) {
                // the other acceptable outcome: a failure that says so, in one line
                String line = SparkSetup.describeFailure(e.getCause(), sc.getConf(), 2);
                assertThat(line).startsWith("the spark job failed: ").doesNotContain("\n");
                System.out.println("executor killed mid-run: the run failed, saying so: " + line);
            }
        } finally {
            driver.shutdownNow();
        }
    }
}
