package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.io.aws2.options.S3Options;

/**
 * Where an {@code s3://} archive lives: Beam's {@link S3Options} ({@code --awsRegion}, {@code
 * --endpoint}, {@code --awsCredentialsProvider}, {@code --s3ClientFactoryClass}, server-side
 * encryption, upload buffer size, ...), adopted as a mix-in. Beam 2.70.0 registers only {@code
 * AwsOptions} with {@code PipelineOptionsFactory}, so without this mix-in strict parsing refuses
 * {@code --s3ClientFactoryClass} and every other S3 flag. {@link S3Settings} sets the ones an
 * S3-compatible server needs.
 */
public interface ArchiveStorageOptions extends S3Options {}
