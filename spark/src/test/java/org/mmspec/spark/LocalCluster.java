package org.mmspec.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on this machine for the cluster tests: one {@code Master} and two
 * {@code Worker}s, each a separate JVM started with {@code java -cp} from the module's own jars
 * ({@code target/lib}), with {@code SPARK_HOME} a folder whose {@code jars/} links to them (a
 * worker starts its executors from there). Everything listens on 127.0.0.1; {@link #close} stops
 * every process it started, executors first.
 *
 * <p>The standalone daemons always run a web UI (the master's answers {@code /json/}, which the
 * start-up polls until both workers are alive); they bind it to 127.0.0.1 on a free port.
 */
final class LocalCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    final String master;
    private final int masterUiPort;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();

    private LocalCluster(String master, int masterUiPort) {
        this.master = master;
        this.masterUiPort = masterUiPort;
    }

    /** Starts a master and {@code workers} workers of one core and {@code workerMemory} each. */
    static LocalCluster start(Path lib, Path dir, int workers, String workerMemory) throws IOException, InterruptedException {
        Path home = dir.resolve("spark-home");
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        try (Stream<Path> s = Files.list(lib)) {
            for (Path jar : s.toList()) {
                Path link = jars.resolve(jar.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, jar.toAbsolutePath());
                }
            }
        }
        int port = freePort();
        int ui = freePort();
        LocalCluster c = new LocalCluster("spark://127.0.0.1:" + port, ui);
        try {
            c.spawn(home, dir.resolve("master.log"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", String.valueOf(port), "--webui-port", String.valueOf(ui));
            c.awaitPort(port);
            for (int w = 0; w < workers; w++) {
                Path work = Files.createDirectories(dir.resolve("work-" + w));
                c.workers.add(c.spawn(home, dir.resolve("worker-" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--webui-port", String.valueOf(freePort()), "--cores", "1", "--memory",
                        workerMemory, "--work-dir", work.toString(), c.master));
            }
            c.awaitWorkers(workers);
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private Process spawn(Path home, Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        cmd.addAll(Arrays.asList(System.getProperty("mmspec.spark.opens", "").trim().split("\\s+")));
        cmd.addAll(List.of("-cp", home.resolve("jars") + "/*", main));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_NO_DAEMONIZE", "1");
        // what bin/load-spark-env.sh sets in a distribution; without it a worker's launcher looks for
        // a source build and starts no executor ("Cannot find any build directories")
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** The executor JVMs the workers started (their child processes), oldest first. */
    List<ProcessHandle> executors() {
        return workers.stream().flatMap(w -> w.toHandle().descendants())
                .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).toList();
    }

    private void awaitPort(int port) throws InterruptedException {
        long until = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < until) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the standalone master did not open port " + port + " within " + START_TIMEOUT);
    }

    private void awaitWorkers(int n) throws InterruptedException {
        long until = System.nanoTime() + START_TIMEOUT.toNanos();
        String status = "";
        while (System.nanoTime() < until) {
            try (InputStream in = URI.create("http://127.0.0.1:" + masterUiPort + "/json/").toURL().openStream()) {
                status = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (status.replace(" ", "").contains("\"aliveworkers\":" + n)) {
                    return;
                }
            } catch (IOException e) {
                // the UI is not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(n + " workers did not register within " + START_TIMEOUT + ": " + status);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process w : workers) {
            w.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
