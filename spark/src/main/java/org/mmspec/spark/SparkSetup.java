package org.mmspec.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

import org.apache.spark.SparkConf;

/**
 * The Spark configuration of an mmspec run, and the checks that turn a bad set-up into one line
 * instead of a stack trace or a hang.
 *
 * <p>Loopback: a {@code local} master, or a standalone master on 127.0.0.1 or localhost, binds the
 * driver (its RPC, block manager and file server) to 127.0.0.1; any other master leaves the
 * driver's address to Spark ({@code SPARK_LOCAL_IP}, {@code spark.driver.host}), since executors
 * on other machines must reach it. The web UI is off unless asked for. States travel as byte
 * arrays, so Kryo needs no registrations.
 */
public final class SparkSetup {
    static final String LOOPBACK = "127.0.0.1";

    private SparkSetup() {
    }

    /** A configuration for {@code master} (null: whatever spark-submit set, else {@code local[*]}). */
    public static SparkConf conf(String master, String appName, boolean ui) {
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setAppName(appName);
        conf.setIfMissing("spark.ui.enabled", String.valueOf(ui));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        if (isLoopback(conf.get("spark.master"))) {
            conf.set("spark.driver.host", LOOPBACK);
            conf.set("spark.driver.bindAddress", LOOPBACK);
        }
        return conf;
    }

    /** A local master, or a standalone master on this machine's loopback address. */
    static boolean isLoopback(String master) {
        if (master.startsWith("local")) {
            return true;
        }
        if (master.startsWith("spark://")) {
            String host = URI.create(master).getHost();
            return LOOPBACK.equals(host) || "localhost".equals(host);
        }
        return false;
    }

    /**
     * Fails with one line when a standalone master does not accept connections: Spark itself
     * would retry for a minute and then stop the context with a page of log.
     */
    public static void requireReachable(String master) {
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI u = URI.create("spark://" + hostPort);
            int port = u.getPort() < 0 ? 7077 : u.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), port), 3000);
                return;
            } catch (IOException e) {
                // try the next master of a high-availability list
            }
        }
        throw new SetupException("spark master " + master + " is unreachable (nothing accepts connections there;"
                + " start it, or check --master)");
    }

    /**
     * One line for a job that failed: an executor that ran out of memory names the setting to
     * raise; anything else gives Spark's first line.
     */
    public static String describeFailure(Throwable t, SparkConf conf, int partitions) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        String text = all.toString();
        if (text.contains("OutOfMemoryError") || text.contains("exit code 52") || text.contains("exitCode=52")) {
            String master = conf.get("spark.master", "local[*]");
            String setting = master.startsWith("local")
                    ? "the driver's heap, which runs the local executors (MMSPEC_SPARK_JAVA_OPTS=-Xmx..., now "
                            + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)"
                    : "spark.executor.memory (--executor-memory, now " + conf.get("spark.executor.memory", "1g") + ")";
            return "an executor ran out of memory: raise " + setting + ", or --partitions (now " + partitions
                    + ") so that each task holds less";
        }
        String first = String.valueOf(t.getMessage()).lines().findFirst().orElse(t.toString());
        return "the spark job failed: " + first;
    }

    /** A bad set-up, reported as one line with exit code 2. */
    public static final class SetupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SetupException(String message) {
            super(message, null, false, false);
        }
    }
}
