package io.github.analytics.pipelines.replay;

import java.time.Clock;

/**
 * A replay that dies (Runtime.halt, as SIGKILL: no shutdown hooks, no producer close) in its first
 * transaction, once that transaction's records are sent and flushed to the broker but before it
 * commits. {@link DeadLetterReplayTest} runs it in a JVM of its own. Arguments: bootstrap servers,
 * dead-letter topic, event topic, group.
 */
final class KilledReplayMain {
  static final int HALT_STATUS = 137;

  private KilledReplayMain() {}

  public static void main(String[] args) {
    ReplaySettings settings = ReplaySettings.of(args[0]).withTopics(args[1], args[2]).withGroup(args[3]);
    DeadLetterReplay.run(settings, System.out, Clock.systemUTC(), sent -> {
      System.out.println("halting with " + sent + " records sent in an open transaction");
      System.out.flush();
      Runtime.getRuntime().halt(HALT_STATUS);
    });
    System.out.println("the replay ended without a transaction to kill");
    System.exit(1);
  }
}
