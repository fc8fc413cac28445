package io.github.analytics.runners.flink;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.StreamingPipelineOptions;
import io.github.analytics.pipelines.options.OptionsValidator;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/flink as files: the FlinkDeployment's args must be options the streaming pipeline accepts
 * (so a renamed option breaks this test, not a production upgrade), its entry class a main in the
 * bundle, its Flink version the one the bundle's runner is built for, and its jar where the
 * Dockerfile puts it.
 */
class FlinkDeploymentTest {
  private static final Path DEPLOY = Paths.get(System.getProperty("analytics.projectRoot", "../.."), "deploy", "flink");

  @Test
  void argsAreValidOptionsOfTheStreamingPipeline() throws IOException {
    Map<String, Object> job = job(deployment());
    String[] args = args(job).toArray(String[]::new);
    StreamingPipelineOptions options = streamingOptions(args);
    OptionsValidator.validateIngest(options);
    OptionsValidator.validateStreaming(options, options, options, options);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertEquals(FlinkRunner.class, options.getRunner());
    assertFalse(flink.getAttachedMode(), "application mode submits and returns: --attachedMode=false");
    assertFalse(options.getWaitUntilFinish(), "main must return once the job is submitted");
    assertTrue(flink.getCheckpointingInterval() > 0, "checkpointing is on, or Kafka offsets are never committed");
    assertTrue(options.getArchiveRoot().startsWith("s3://"), "a cluster's archive is shared storage");
  }

  @Test
  void theCheckCatchesAnOptionThatDrifted() {
    // The oracle above would be worthless if unknown options passed: one renamed option must fail.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> streamingOptions(new String[] {"--runner=FlinkRunner", "--kafkaBootstrapServers=kafka:9092"}));
    assertTrue(e.getMessage().contains("kafkaBootstrapServers"), e.getMessage());
  }

  @Test
  void deploymentMatchesTheBundleAndTheImage() throws IOException {
    Map<String, Object> spec = spec(deployment());
    Map<String, Object> job = job(deployment());
    String flinkVersion = EnvironmentInformation.getVersion();
    assertEquals("v" + flinkVersion.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"), spec.get("flinkVersion"),
        "the operator's flinkVersion is the Flink the bundle's runner is built for (" + flinkVersion + ")");
    assertEquals("savepoint", job.get("upgradeMode"));
    Map<?, ?> conf = (Map<?, ?>) spec.get("flinkConfiguration");
    for (String key : List.of("state.backend.type", "state.checkpoints.dir", "state.savepoints.dir",
        "restart-strategy.type")) {
      assertTrue(conf.containsKey(key), "flinkConfiguration sets " + key);
    }

    Method main = assertDoesNotThrow(() -> Class.forName((String) job.get("entryClass")).getMethod("main", String[].class));
    assertTrue(Modifier.isStatic(main.getModifiers()), "entryClass has a static main");

    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"), StandardCharsets.UTF_8);
    String jarUri = (String) job.get("jarURI");
    assertTrue(jarUri.startsWith("local://"), jarUri);
    assertTrue(dockerfile.contains(" " + jarUri.substring("local://".length()) + "\n"),
        "the Dockerfile copies the bundle to " + jarUri);
    String major = flinkVersion.replaceAll("^(\\d+\\.\\d+).*", "$1");
    assertTrue(dockerfile.contains("FROM flink:" + major + "-java17"), "the image is Flink " + major + " on Java 17");
  }

  private static StreamingPipelineOptions streamingOptions(String[] args) {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(StreamingPipelineOptions.class);
  }

  private static Map<String, Object> deployment() throws IOException {
    Object yaml = new Yaml().load(Files.readString(DEPLOY.resolve("analytics-streaming.yaml"), StandardCharsets.UTF_8));
    @SuppressWarnings("unchecked")
    Map<String, Object> deployment = (Map<String, Object>) yaml;
    assertEquals("FlinkDeployment", deployment.get("kind"));
    return deployment;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(Map<String, Object> deployment) {
    return (Map<String, Object>) deployment.get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> job(Map<String, Object> deployment) {
    return (Map<String, Object>) spec(deployment).get("job");
  }

  private static List<String> args(Map<String, Object> job) {
    List<String> args = new ArrayList<>();
    for (Object arg : (List<?>) job.get("args")) {
      args.add(String.valueOf(arg));
    }
    assertFalse(args.isEmpty(), "the job has args");
    return args;
  }
}
