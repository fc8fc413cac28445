package io.github.analytics.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers shared by the stack's services: processes, free ports, readiness polling, logs. */
final class ServiceProcess {
  private ServiceProcess() {}

  /** The directories to look for a server binary in: {@code PATH}, then the usual install places. */
  static List<String> searchPath() {
    List<String> dirs = new java.util.ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin"));
    return dirs;
  }

  /**
   * {@code configured} if set (and executable), else the first executable of {@code names}, in order
   * of the names, found in {@code dirs}.
   */
  static java.util.Optional<Path> findExecutable(
      String configured, List<String> dirs, String... names) {
    if (configured != null && !configured.isBlank()) {
      return java.util.Optional.of(Paths.get(configured)).filter(Files::isExecutable);
    }
    for (String name : names) {
      java.util.Optional<Path> found = dirs.stream()
          .filter(d -> !d.isBlank())
          .map(d -> Paths.get(d, name))
          .filter(Files::isExecutable)
          .findFirst();
      if (found.isPresent()) {
        return found;
      }
    }
    return java.util.Optional.empty();
  }

  /** A port that was free on loopback a moment ago. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on loopback", e);
    }
  }

  /**
   * Starts {@code command} with its output appended to {@code log}. The process is also stopped when
   * this JVM exits, so a test or command that dies without closing the stack leaves no server behind.
   */
  static Process start(List<String> command, Path workDir, Path log) {
    try {
      Process process = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      Runtime.getRuntime().addShutdownHook(
          new Thread(() -> stop(process, Duration.ofSeconds(10)), "stop-" + command.get(0)));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0), e);
    }
  }

  /**
   * Polls {@code ready} until it holds, the process dies, or the deadline passes; the last two throw
   * with the end of the log, which says why.
   */
  static void awaitReady(String name, Process process, Path log, Duration timeout, BooleanSupplier ready) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      if (ready.getAsBoolean()) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with code " + process.exitValue() + " while starting; end of " + log + ":\n"
                + tail(log, 30));
      }
      if (Instant.now().isAfter(deadline)) {
        stop(process, Duration.ofSeconds(5));
        throw new IllegalStateException(
            name + " did not answer within " + timeout.toSeconds() + " s; end of " + log + ":\n"
                + tail(log, 30));
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS); // a pause that ends early if the process dies
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop(process, Duration.ofSeconds(5));
        throw new IllegalStateException("Interrupted while waiting for " + name, e);
      }
    }
  }

  /** Asks the process to stop (SIGTERM: a clean shutdown), and kills it after {@code grace}. */
  /** Kills {@code process} (SIGKILL) and waits until it is gone: a crash, for drills. */
  static void kill(Process process, String name) {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing " + name, e);
    }
  }

  static void stop(Process process, Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /**
   * The classpath a service module (kafka-broker/, s3proxy-server/) resolved at build time and wrote to
   * {@code resource}, after checking that every jar in it is still there.
   */
  static String classpath(String resource, String service, String module) {
    try (InputStream in = ServiceProcess.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            service + "'s classpath file " + resource + " is not on the classpath: build the project with"
                + " `mvn -B install -DskipTests` (the " + module + " module writes it).");
      }
      String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      for (String jar : classpath.split(java.io.File.pathSeparator)) {
        if (!Files.exists(Paths.get(jar))) {
          throw new IllegalStateException(
              service + "'s jar " + jar + " is missing (was ~/.m2 cleaned?): rebuild with"
                  + " `mvn -B install -DskipTests`.");
        }
      }
      return classpath;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + resource, e);
    }
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
