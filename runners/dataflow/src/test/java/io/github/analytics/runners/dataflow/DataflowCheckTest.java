package io.github.analytics.runners.dataflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The exit codes of {@code DataflowCheck}, on options it refuses before building anything. */
class DataflowCheckTest {
  @Test
  void withoutAPipelineItPrintsUsage() {
    assertEquals(2, DataflowCheck.run(new String[] {}));
    assertEquals(2, DataflowCheck.run(new String[] {"serve"}));
  }

  @Test
  void optionsDataflowRefusesExitWithOne() {
    assertEquals(
        1,
        DataflowCheck.run(
            new String[] {
              "stream", "--project=analytics-offline-check", "--region=europe-west1",
              "--tempLocation=/tmp/not-cloud-storage"
            }));
  }

  @Test
  void withoutRunnerV2ItSaysWhatToAdd() {
    assertEquals(
        1,
        DataflowCheck.run(
            new String[] {
              "stream", "--project=analytics-offline-check", "--region=europe-west1",
              "--tempLocation=gs://analytics-offline-check/tmp"
            }));
  }

  @Test
  void optionsTheProjectRefusesExitWithOne() {
    assertEquals(
        1,
        DataflowCheck.run(
            new String[] {
              "stream", "--project=analytics-offline-check", "--region=europe-west1",
              "--tempLocation=gs://analytics-offline-check/tmp", "--archiveWindowMinutes=7",
              "--experiments=use_runner_v2"
            }));
  }
}
