package io.github.analytics.pipelines.io;

import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 client of Beam's S3 file system, made to work with S3-compatible servers (S3Proxy, MinIO,
 * Ceph, ...): Beam's default client, as {@code --awsRegion}, {@code --endpoint} and {@code
 * --awsCredentialsProvider} configure it, plus
 *
 * <ul>
 *   <li>path-style addressing ({@code http://host:port/bucket/key}): a server on an address or a
 *       single host name has no {@code bucket.host} names to serve;
 *   <li>no {@code x-amz-server-side-encryption-bucket-key-enabled: false} header. Beam sends it with
 *       every multipart upload (from {@code --bucketKeyEnabled}, false by default) and S3Proxy refuses
 *       the upload because of it. False is what S3 assumes without the header, so dropping it changes
 *       nothing on S3; a {@code true} is kept, so asking for bucket keys never silently does nothing.
 * </ul>
 *
 * <p>Select it with {@code --s3ClientFactoryClass=io.github.analytics.pipelines.io.PathStyleS3ClientBuilderFactory},
 * or set everything at once with {@link io.github.analytics.pipelines.options.S3Settings}.
 */
public final class PathStyleS3ClientBuilderFactory implements S3ClientBuilderFactory {
  /** The header S3Proxy rejects. */
  static final String BUCKET_KEY_HEADER = "x-amz-server-side-encryption-bucket-key-enabled";

  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    S3ClientBuilder builder = new DefaultS3ClientBuilderFactory().createBuilder(options);
    // Added to the configuration Beam built (retries, timeouts), not in place of it.
    return builder
        .forcePathStyle(true)
        .overrideConfiguration(builder.overrideConfiguration().toBuilder()
            .addExecutionInterceptor(new DropFalseBucketKeyHeader())
            .build());
  }

  /** {@code request} without a bucket-key header of {@code false}; any other request unchanged. */
  static SdkHttpRequest withoutFalseBucketKeyHeader(SdkHttpRequest request) {
    boolean isFalse = request.firstMatchingHeader(BUCKET_KEY_HEADER)
        .map(v -> v.equalsIgnoreCase("false"))
        .orElse(false);
    return isFalse ? request.toBuilder().removeHeader(BUCKET_KEY_HEADER).build() : request;
  }

  /** Runs before signing, so the signature covers the headers actually sent. */
  private static final class DropFalseBucketKeyHeader implements ExecutionInterceptor {
    @Override
    public SdkHttpRequest modifyHttpRequest(
        Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
      return withoutFalseBucketKeyHeader(context.httpRequest());
    }
  }
}
