package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

/** The bucket-key header is dropped only where dropping it changes nothing: when it says false. */
class PathStyleS3ClientBuilderFactoryTest {
  private static final String HEADER = PathStyleS3ClientBuilderFactory.BUCKET_KEY_HEADER;

  @Test
  void dropsAFalseBucketKeyHeaderAndKeepsEverythingElse() {
    SdkHttpRequest request = upload().putHeader(HEADER, "false").build();
    SdkHttpRequest sent = PathStyleS3ClientBuilderFactory.withoutFalseBucketKeyHeader(request);
    assertEquals(Optional.empty(), sent.firstMatchingHeader(HEADER));
    assertEquals(List.of("application/octet-stream"), sent.headers().get("Content-Type"));
    assertEquals(request.getUri(), sent.getUri());
  }

  @Test
  void keepsATrueBucketKeyHeaderSoTheServerCanRefuseIt() {
    SdkHttpRequest request = upload().putHeader(HEADER, "true").build();
    assertEquals(Optional.of("true"),
        PathStyleS3ClientBuilderFactory.withoutFalseBucketKeyHeader(request).firstMatchingHeader(HEADER));
  }

  @Test
  void leavesARequestWithoutTheHeaderAsItIs() {
    SdkHttpRequest request = upload().build();
    assertEquals(request, PathStyleS3ClientBuilderFactory.withoutFalseBucketKeyHeader(request));
  }

  private static SdkHttpRequest.Builder upload() {
    return SdkHttpRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(URI.create("http://127.0.0.1:9000/bucket/archive/part-0.parquet?uploads"))
        .putHeader("Content-Type", "application/octet-stream");
  }
}
