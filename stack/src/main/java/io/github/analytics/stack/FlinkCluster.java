package io.github.analytics.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Flink 1.19 session cluster on loopback and free ports: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and one TaskManager ({@code TaskManagerRunner}), each in a JVM
 * of its own, started from the {@code analytics-flink-cluster} module's classpath with a generated
 * configuration directory — the entry points and the configuration {@code bin/start-cluster.sh} uses.
 * {@link #cliScript} ({@code <workDir>/bin/flink}) and {@link #cli} run Flink's command line ({@code CliFrontend}, what {@code bin/flink} runs) against
 * it, so a job is submitted with {@code flink run} as on any cluster.
 *
 * <pre>{@code
 * try (FlinkCluster flink = FlinkCluster.start(workDir)) {
 *   flink.cli(log, Duration.ofMinutes(1), "run", "-d", "-c", mainClass, bundleJar, ...);
 *   String jobs = flink.get("/jobs/overview");
 * }
 * }</pre>
 */
public final class FlinkCluster implements AutoCloseable {
  /** Task slots of the TaskManager: the most parallelism a job can have on this cluster. */
  public static final int SLOTS = 2;
  private static final String CLASSPATH_RESOURCE = "/io/github/analytics/stack/flink-cluster.classpath";
  private static final String JOB_MANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String CLI = "org.apache.flink.client.cli.CliFrontend";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern SLOTS_TOTAL = Pattern.compile("\"slots-total\"\\s*:\\s*(\\d+)");

  private final Path workDir;
  private final Path confDir;
  private final int restPort;
  private final Process jobManager;
  private final Process taskManager;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private FlinkCluster(Path workDir, Path confDir, int restPort, Process jobManager, Process taskManager) {
    this.workDir = workDir;
    this.confDir = confDir;
    this.restPort = restPort;
    this.jobManager = jobManager;
    this.taskManager = taskManager;
  }

  /**
   * Writes {@code <workDir>/conf/config.yaml}, starts the JobManager and the TaskManager and waits
   * until the TaskManager's slots are registered; logs go to {@code <workDir>/log}.
   */
  public static FlinkCluster start(Path workDir) {
    String classpath = classpath();
    try {
      Path dir = workDir.toAbsolutePath();
      Path conf = Files.createDirectories(dir.resolve("conf"));
      Path logs = Files.createDirectories(dir.resolve("log"));
      int restPort = ServiceProcess.freePort();
      Files.writeString(conf.resolve("config.yaml"), configuration(dir, restPort), StandardCharsets.UTF_8);
      Path jmLog = logs.resolve("jobmanager.log");
      Path tmLog = logs.resolve("taskmanager.log");
      // Heap sizes as bin/jobmanager.sh and bin/taskmanager.sh derive them from the memory settings.
      Process jobManager = ServiceProcess.start(
          java(classpath, List.of("-Xms512m", "-Xmx512m"), JOB_MANAGER, "--configDir", conf.toString()),
          dir, jmLog);
      Process taskManager;
      try {
        taskManager = ServiceProcess.start(
            java(classpath, List.of("-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=256m",
                "-XX:MaxMetaspaceSize=384m"), TASK_MANAGER, "--configDir", conf.toString()),
            dir, tmLog);
      } catch (RuntimeException e) {
        ServiceProcess.stop(jobManager, Duration.ofSeconds(10));
        throw e;
      }
      FlinkCluster cluster = new FlinkCluster(dir, conf, restPort, jobManager, taskManager);
      cluster.writeCliScript(classpath);
      try {
        ServiceProcess.awaitReady("Flink's JobManager", jobManager, jmLog, START_TIMEOUT, cluster::restAnswers);
        ServiceProcess.awaitReady("Flink's TaskManager (registering with the JobManager)", taskManager,
            tmLog, START_TIMEOUT, () -> cluster.slotsTotal() >= SLOTS);
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the Flink cluster's directory " + workDir, e);
    }
  }

  /** {@code host:port} of the REST endpoint: {@code flink run -m}, Beam's {@code --flinkMaster}. */
  public String restAddress() {
    return "127.0.0.1:" + restPort;
  }

  /** The configuration directory, for {@code FLINK_CONF_DIR} (it names the REST endpoint). */
  public Path confDir() {
    return confDir;
  }

  /** The directory holding the JobManager's and the TaskManager's logs. */
  public Path logDir() {
    return workDir.resolve("log");
  }

  /**
   * {@code <workDir>/bin/flink}: a script that runs Flink's command line against this cluster, as a
   * distribution's {@code bin/flink} does ({@code FLINK_CONF_DIR=<conf> java -cp <cluster classpath>
   * CliFrontend "$@"}).
   */
  public Path cliScript() {
    return workDir.resolve("bin").resolve("flink");
  }

  /**
   * Runs Flink's command line ({@code flink <args>}) against this cluster in a JVM of its own, with its
   * output in {@code log}, and returns its exit code; fails if it does not end within {@code timeout}.
   */
  public int cli(Path log, Duration timeout, String... args) {
    // Through the script a user runs, so that it is what the tests check.
    List<String> command = new ArrayList<>(List.of(cliScript().toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ServiceProcess.stop(process, Duration.ofSeconds(5));
        throw new IllegalStateException("`flink " + String.join(" ", args) + "` did not end within "
            + timeout.toSeconds() + " s; end of " + log + ":\n" + ServiceProcess.tail(log, 40));
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start Flink's command line", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running Flink's command line", e);
    }
  }

  private void writeCliScript(String classpath) throws IOException {
    // The job's main runs in this JVM (it builds the job graph): as much heap as bin/flink gives it.
    List<String> command = java(classpath, List.of("-Xmx1g"), CLI);
    StringBuilder script = new StringBuilder("#!/bin/sh\n# Flink's command line against the local cluster"
        + " (io.github.analytics.stack.FlinkCluster), like a distribution's bin/flink.\n"
        + "export FLINK_CONF_DIR='" + confDir + "'\nexec");
    command.forEach(part -> script.append(" '").append(part).append('\''));
    script.append(" \"$@\"\n");
    Path file = cliScript();
    Files.createDirectories(file.getParent());
    Files.writeString(file, script, StandardCharsets.UTF_8);
    if (!file.toFile().setExecutable(true)) {
      throw new IOException("Cannot make " + file + " executable");
    }
  }

  /** GET on the REST API ({@code /jobs/overview}, ...): the response body, JSON. */
  public String get(String path) {
    return send(HttpRequest.newBuilder(restUri(path)).GET());
  }

  /** Cancels a job through the REST API ({@code PATCH /jobs/<id>}), as {@code flink cancel} does. */
  public void cancel(String jobId) {
    send(HttpRequest.newBuilder(restUri("/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  public boolean isRunning() {
    return jobManager.isAlive() && taskManager.isAlive();
  }

  /** Stops the TaskManager, then the JobManager (SIGTERM: each shuts down cleanly), killing after 30 s. */
  @Override
  public void close() {
    try {
      ServiceProcess.stop(taskManager, Duration.ofSeconds(30));
    } finally {
      ServiceProcess.stop(jobManager, Duration.ofSeconds(30));
    }
  }

  private URI restUri(String path) {
    return URI.create("http://" + restAddress() + path);
  }

  private String send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("Flink's REST API answered " + response.statusCode() + " to "
            + response.request().method() + " " + response.uri() + ": " + response.body()
            + " (JobManager log: " + logDir().resolve("jobmanager.log") + ")");
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("Flink's REST API at " + restAddress() + " does not answer (is the"
          + " cluster up? JobManager log: " + logDir().resolve("jobmanager.log") + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while calling Flink's REST API", e);
    }
  }

  private boolean restAnswers() {
    try {
      get("/config");
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private int slotsTotal() {
    try {
      Matcher m = SLOTS_TOTAL.matcher(get("/overview"));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /**
   * A session cluster's configuration, all on loopback: the REST port is fixed (clients find it here),
   * the other ports are picked by the processes. The TaskManager's memory is set component by component,
   * as bin/taskmanager.sh passes it after working it out, so TaskManagerRunner starts without the script.
   */
  static String configuration(Path dir, int restPort) {
    Map<String, String> conf = new java.util.LinkedHashMap<>();
    conf.put("jobmanager.rpc.address", "127.0.0.1");
    conf.put("jobmanager.rpc.port", Integer.toString(ServiceProcess.freePort()));
    conf.put("jobmanager.bind-host", "127.0.0.1");
    conf.put("jobmanager.memory.process.size", "1g");
    conf.put("rest.address", "127.0.0.1");
    conf.put("rest.bind-address", "127.0.0.1");
    conf.put("rest.port", Integer.toString(restPort));
    conf.put("taskmanager.host", "127.0.0.1");
    conf.put("taskmanager.bind-host", "127.0.0.1");
    conf.put("taskmanager.numberOfTaskSlots", Integer.toString(SLOTS));
    conf.put("taskmanager.cpu.cores", Integer.toString(SLOTS));
    conf.put("taskmanager.memory.framework.heap.size", "128m");
    conf.put("taskmanager.memory.task.heap.size", "896m");
    conf.put("taskmanager.memory.framework.off-heap.size", "128m");
    conf.put("taskmanager.memory.task.off-heap.size", "0m");
    conf.put("taskmanager.memory.network.min", "128m");
    conf.put("taskmanager.memory.network.max", "128m");
    conf.put("taskmanager.memory.managed.size", "128m");
    conf.put("taskmanager.memory.jvm-metaspace.size", "384m");
    conf.put("taskmanager.memory.jvm-overhead.min", "192m");
    conf.put("taskmanager.memory.jvm-overhead.max", "192m");
    conf.put("parallelism.default", "1");
    conf.put("io.tmp.dirs", dir.resolve("tmp").toString());
    conf.put("blob.storage.directory", dir.resolve("blobs").toString());
    conf.put("web.tmpdir", dir.resolve("web").toString());
    StringBuilder yaml = new StringBuilder("# A local Flink session cluster (io.github.analytics.stack.FlinkCluster)\n");
    conf.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
    return yaml.toString();
  }

  private static List<String> java(String classpath, List<String> jvmOptions, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-XX:+UseG1GC", "-Djava.awt.headless=true",
        // What bin/flink-daemon.sh passes on Java 17: Flink's serializers reach into these packages.
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
        "--add-opens=java.sql/java.sql=ALL-UNNAMED",
        "-cp", classpath, mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** The cluster's classpath, as the analytics-flink-cluster module resolved it at build time. */
  static String classpath() {
    return ServiceProcess.classpath(CLASSPATH_RESOURCE, "The Flink cluster", "analytics-flink-cluster");
  }
}
