package io.github.analytics.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine a run was measured on: results are only comparable between runs on the same kind of
 * machine, and ratios within one run.
 *
 * @param cores processors the JVM sees (the divisor of every "per core" figure)
 * @param cpu the CPU model, from /proc/cpuinfo where there is one
 * @param jvm vendor, version, VM name and garbage collector
 * @param os name, version and architecture
 * @param maxHeapBytes the JVM's maximum heap
 * @param date when the run started (UTC)
 * @param commit the git commit of the code measured, with "-dirty" if it had uncommitted changes
 * @param loadAverage the 1, 5 and 15 minute load averages when the run started (/proc/loadavg), or
 *     "unknown": a load above the cores means other work shared the machine and the numbers are low
 */
public record MachineInfo(
    int cores, String cpu, String jvm, String os, long maxHeapBytes, Instant date, String commit,
    String loadAverage) {

  /** This machine, now, and the commit of the working directory's git checkout ("unknown" without one). */
  public static MachineInfo current() {
    return new MachineInfo(
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version") + " ("
            + System.getProperty("java.vm.name") + ", " + garbageCollector() + ")",
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"),
        Runtime.getRuntime().maxMemory(),
        Instant.now(),
        gitCommit(),
        readLoadAverage());
  }

  private static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        for (String line : Files.readAllLines(cpuinfo)) {
          if (line.startsWith("model name")) {
            return line.substring(line.indexOf(':') + 1).trim();
          }
        }
      } catch (IOException e) {
        return "unknown (" + e.getMessage() + ")";
      }
    }
    return "unknown";
  }

  private static String readLoadAverage() {
    Path loadavg = Path.of("/proc/loadavg");
    try {
      String[] fields = Files.readString(loadavg).trim().split("\\s+");
      return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String gitCommit() {
    String head = git(List.of("git", "rev-parse", "--short=12", "HEAD"));
    if (head.isEmpty()) {
      return "unknown";
    }
    String status = git(List.of("git", "status", "--porcelain", "--untracked-files=no"));
    return status.isEmpty() ? head : head + "-dirty";
  }

  private static String git(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out;
      try (InputStream in = process.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "";
      }
      return process.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** The collector's name, as its beans give it: "G1", "Parallel", "Serial", "ZGC", ... */
  private static String garbageCollector() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (java.lang.management.GarbageCollectorMXBean bean
        : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = bean.getName();
      names.add(name.startsWith("PS ") ? "Parallel" : name.split(" ")[0]);
    }
    return String.join("/", names) + " GC";
  }
}
