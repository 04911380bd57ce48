package org.mmspec.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** Bad set-ups end in one line, before or instead of Spark's own failure. */
class SparkSetupTest {
    @Test
    void anUnreachableMasterIsOneLine() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String master = "spark://127.0.0.1:" + port;
        assertThatThrownBy(() -> SparkSetup.requireReachable(master))
                .isInstanceOf(SparkSetup.SetupException.class)
                .hasMessage("spark master " + master + " is unreachable (nothing accepts connections there; start it, or check --master)");
    }

    @Test
    void aReachableMasterPasses() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            SparkSetup.requireReachable("spark://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void anExecutorOutOfMemoryNamesTheSettingToRaise() {
        SparkConf conf = new SparkConf().setMaster("spark://127.0.0.1:7077").set("spark.executor.memory", "512m");
        SparkException e = new SparkException("Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 times,"
                + " most recent failure: Lost task 3.3 (executor 1): java.lang.OutOfMemoryError: Java heap space\n\tat ...");
        assertThat(SparkSetup.describeFailure(e, conf, 8)).isEqualTo("an executor ran out of memory: raise"
                + " spark.executor.memory (--executor-memory, now 512m), or --partitions (now 8) so that each task holds less");
        assertThat(SparkSetup.describeFailure(new SparkException("Job aborted: lost executor 0\nmore"), conf, 8))
                .isEqualTo("the spark job failed: Job aborted: lost executor 0");
    }

    @Test
    void loopbackBindingForLocalAndLoopbackMastersOnly() {
        SparkConf local = SparkSetup.conf("local[2]", "t", false);
        assertThat(local.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
        assertThat(local.get("spark.ui.enabled")).isEqualTo("false");
        assertThat(SparkSetup.conf("spark://localhost:7077", "t", false).get("spark.driver.host")).isEqualTo("127.0.0.1");
        assertThat(SparkSetup.conf("yarn", "t", false).contains("spark.driver.bindAddress")).isFalse();
    }

    @Test
    void cliRefusesBadOptionsBeforeSparkStarts() {
        // every catalogue model encodes its states; SparkEquivalenceTest checks the refusal of one that does not
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        assertThatThrownBy(() -> SparkCheck.run(new String[] {"check", "tlb-shootdown", "--partitions", "x"}, sink, sink))
                .hasMessage("--partitions takes a number, not x");
        assertThatThrownBy(() -> SparkCheck.run(new String[] {"check", "tlb-shootdown", "nope"}, sink, sink))
                .hasMessageContaining("has no configuration nope");
        // liveness needs the whole state graph on one machine
        assertThatThrownBy(() -> SparkCheck.run(new String[] {"check", "tlb-shootdown", "bug-idle-poll"}, sink, sink))
                .hasMessage("tlb-shootdown bug-idle-poll checks liveness, which the spark engine does not; run it in-process"
                        + " (./mmspec models tlb-shootdown:bug-idle-poll)");
    }
}
