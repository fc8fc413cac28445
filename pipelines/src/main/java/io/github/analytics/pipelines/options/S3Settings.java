package io.github.analytics.pipelines.options;

import io.github.analytics.pipelines.io.PathStyleS3ClientBuilderFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;

/**
 * Points Beam's S3 file system ({@code s3://bucket/path}, for every read and write of a pipeline) at
 * an S3-compatible server with static credentials. Beam's own options do it; this sets the four that
 * are needed together, in code or as command-line flags:
 *
 * <pre>{@code
 * --awsRegion=us-east-1 --endpoint=http://127.0.0.1:9000
 * --awsCredentialsProvider={"@type":"StaticCredentialsProvider","accessKeyId":"…","secretAccessKey":"…"}
 * --s3ClientFactoryClass=io.github.analytics.pipelines.io.PathStyleS3ClientBuilderFactory
 * }</pre>
 *
 * <p>On AWS S3 itself only {@code --awsRegion} is needed: credentials then come from the default chain
 * (environment, profile, instance role). Call {@link org.apache.beam.sdk.io.FileSystems#setDefaultPipelineOptions}
 * with the options before touching s3:// outside a pipeline run; running a pipeline does it.
 */
public final class S3Settings {
  /** The region named for a job that uses no S3 (see {@link #withoutRegionProbe}); never contacted. */
  static final String NO_S3_REGION = "us-east-1";

  private S3Settings() {}

  /**
   * {@code args}, plus {@code --awsRegion=us-east-1} when they name no region and no {@code s3://}
   * path and the machine configures no region either ({@code AWS_REGION}, the {@code aws.region}
   * property, the AWS profile).
   *
   * <p>Why: Beam sets up its S3 file system for every pipeline, S3 or not, and that asks the AWS SDK
   * for a default region. With none configured the SDK asks the EC2 instance metadata service, which
   * off EC2 means retries and timeouts before it gives up: 0.8 s a run on the development machine,
   * several seconds where that address does not answer at all. A job that uses {@code s3://} is left
   * to the SDK's own chain, which on EC2 finds the instance's region that way.
   */
  public static List<String> withoutRegionProbe(List<String> args) {
    return withoutRegionProbe(args, S3Settings::regionConfigured);
  }

  static List<String> withoutRegionProbe(List<String> args, BooleanSupplier regionConfigured) {
    if (args.stream().anyMatch(a -> a.startsWith("--awsRegion") || a.contains("s3://"))
        || regionConfigured.getAsBoolean()) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    out.add("--awsRegion=" + NO_S3_REGION);
    return out;
  }

  /** Whether the SDK finds a region before it would ask the instance metadata service. */
  private static boolean regionConfigured() {
    try {
      new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
          .getRegion();
      return true;
    } catch (SdkClientException e) {
      return false;
    }
  }

  /** Sets region, endpoint, static credentials and the path-style client on {@code options}. */
  public static S3Options compatible(
      PipelineOptions options, String endpoint, String region, String accessKey, String secretKey) {
    S3Options s3 = options.as(S3Options.class);
    s3.setAwsRegion(Region.of(region));
    s3.setEndpoint(URI.create(endpoint));
    s3.setAwsCredentialsProvider(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    s3.setS3ClientFactoryClass(PathStyleS3ClientBuilderFactory.class);
    return s3;
  }

  /** The same settings as command-line flags, for {@code ./analytics batch} or any Beam main. */
  public static List<String> flags(String endpoint, String region, String accessKey, String secretKey) {
    return List.of(
        "--awsRegion=" + region,
        "--endpoint=" + endpoint,
        "--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\",\"accessKeyId\":\""
            + json(accessKey) + "\",\"secretAccessKey\":\"" + json(secretKey) + "\"}",
        "--s3ClientFactoryClass=" + PathStyleS3ClientBuilderFactory.class.getName());
  }

  private static String json(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
