package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.pipelines.options.ArchiveStorageOptions;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.stack.S3ProxyServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * The archive on S3: a generated day is uploaded through Beam's S3 file system to a real S3Proxy,
 * then read back by {@link ArchiveSource} on the direct runner, every record exactly once.
 */
@ExtendWith(TestPipelineExtension.class)
class ArchiveOnS3Test {
  private static final LocalDate DAY = LocalDate.parse("2026-11-27");
  private static final String BUCKET = "analytics";
  private static final String ROOT = "s3://" + BUCKET + "/archive";

  @TempDir static Path dir;
  private static S3ProxyServer s3;
  /** What the generator produced, in its own order: the oracle. */
  private static List<RawEvent> generated;
  /** Archive files written locally, relative to the local root: each was uploaded to the same key. */
  private static List<String> uploaded;

  @BeforeAll
  static void uploadAGeneratedDay() throws Exception {
    s3 = S3ProxyServer.start(dir.resolve("s3proxy"));
    s3.createBucket(BUCKET);
    // The command-line route: the flags S3Settings documents, parsed by Beam.
    PipelineOptions options = PipelineOptionsFactory.fromArgs(
        S3Settings.flags(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey()).toArray(new String[0]))
        .withValidation().as(ArchiveStorageOptions.class);
    FileSystems.setDefaultPipelineOptions(options);

    Path local = dir.resolve("archive");
    generated = new ArrayList<>();
    try (ArchiveWriter writer = ArchiveWriter.open(local, "s3test")) {
      EventGenerator.of(GeneratorConfig.forDay(DAY).withEvents(400).withUsers(40))
          .generate(record -> {
            generated.add(record.raw());
            writer.write(record.raw());
          });
    }
    uploaded = new ArrayList<>();
    try (var files = Files.walk(local)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
        String key = local.relativize(file).toString().replace('\\', '/');
        // Beam's S3 channel: a multipart upload, where S3Proxy refuses Beam's bucket-key header.
        try (InputStream in = Files.newInputStream(file);
            OutputStream out = Channels.newOutputStream(FileSystems.create(
                FileSystems.matchNewResource(ROOT + "/" + key, false), MimeTypes.BINARY))) {
          in.transferTo(out);
        }
        uploaded.add(key);
      }
    }
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void theFlagsSetRegionEndpointCredentialsAndThePathStyleClient() {
    S3Options options = PipelineOptionsFactory.fromArgs(
        S3Settings.flags("http://127.0.0.1:9", "eu-west-1", "key\"id", "se\\cret").toArray(new String[0]))
        .withValidation().as(ArchiveStorageOptions.class);
    assertEquals("eu-west-1", options.getAwsRegion().id());
    assertEquals(URI.create("http://127.0.0.1:9"), options.getEndpoint());
    AwsCredentials credentials = options.getAwsCredentialsProvider().resolveCredentials();
    assertEquals("key\"id", credentials.accessKeyId());
    assertEquals("se\\cret", credentials.secretAccessKey());
    assertEquals(PathStyleS3ClientBuilderFactory.class, options.getS3ClientFactoryClass());
  }

  @Test
  void everyGeneratedRecordComesBackFromS3ExactlyOnce(TestPipeline pipeline) {
    assertTrue(generated.size() > 400, "records generated: " + generated.size());
    // The objects are in S3Proxy's bucket, not only on the local disk they were written to.
    for (String key : uploaded) {
      assertTrue(Files.isRegularFile(s3.dataDirectory().resolve(BUCKET).resolve("archive/" + key)), key);
    }
    // The programmatic route, on the pipeline's own options: the runner re-registers s3:// with them.
    S3Settings.compatible(pipeline.getOptions(), s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey());
    LocalDate last = receivedDays().last();
    PCollection<RawEvent> read = pipeline.apply("ReadArchiveFromS3", ArchiveSource.read(ROOT, new DateRange(DAY, last)));
    PAssert.that(read).containsInAnyOrder(generated);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void missingDaysListsS3Days() {
    TreeSet<LocalDate> received = receivedDays();
    DateRange range = new DateRange(DAY.minusDays(2), received.last().plusDays(2));
    List<LocalDate> expected = range.days().stream()
        .filter(d -> !received.contains(d))
        .collect(Collectors.toList());
    assertEquals(expected, ArchiveSource.missingDays(ROOT, range));
    assertTrue(expected.contains(DAY.minusDays(1)) && !expected.contains(DAY), expected.toString());
  }

  /** The UTC days records arrived on, from the generator's records rather than from the archive. */
  private static TreeSet<LocalDate> receivedDays() {
    Set<LocalDate> days = generated.stream()
        .map(r -> Instant.ofEpochMilli(r.getReceivedAt().getMillis()).atZone(ZoneOffset.UTC).toLocalDate())
        .collect(Collectors.toSet());
    return new TreeSet<>(days);
  }
}
