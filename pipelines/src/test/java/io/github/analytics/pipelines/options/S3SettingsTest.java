package io.github.analytics.pipelines.options;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a job gets a region so that the AWS SDK does not probe for one, and when it is left alone. */
class S3SettingsTest {
  private static final List<String> LOCAL =
      List.of("--archiveRoot=/data/archive", "--fromDate=2026-11-27");

  @Test
  void aJobWithoutS3OrAnyRegionGetsOne() {
    assertEquals(
        List.of("--archiveRoot=/data/archive", "--fromDate=2026-11-27", "--awsRegion=us-east-1"),
        S3Settings.withoutRegionProbe(LOCAL, () -> false));
  }

  @Test
  void aRegionOnTheCommandLineOrInTheEnvironmentIsLeftAlone() {
    List<String> named = List.of("--archiveRoot=/data/archive", "--awsRegion=eu-west-1");
    assertEquals(named, S3Settings.withoutRegionProbe(named, () -> false));
    assertEquals(LOCAL, S3Settings.withoutRegionProbe(LOCAL, () -> true));
  }

  @Test
  void aJobOnS3IsLeftToTheSdksChain() {
    List<String> s3 = List.of("--archiveRoot=s3://bucket/archive", "--fromDate=2026-11-27");
    assertEquals(s3, S3Settings.withoutRegionProbe(s3, () -> false));
  }
}
