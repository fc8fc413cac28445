package io.github.analytics.pipelines.options;

import io.github.analytics.pipelines.io.PathStyleS3ClientBuilderFactory;
import java.net.URI;
import java.util.List;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

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
  private S3Settings() {}

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
