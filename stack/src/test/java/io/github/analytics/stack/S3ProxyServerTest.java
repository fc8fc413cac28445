package io.github.analytics.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** S3Proxy is a real S3 server: signed requests store and return objects, unsigned ones are refused. */
class S3ProxyServerTest {

  @Test
  void storesAndReturnsAnObjectAndStopsListening(@TempDir Path dir) throws Exception {
    int port;
    try (S3ProxyServer s3 = S3ProxyServer.start(dir)) {
      port = s3.port();
      assertEquals("http://127.0.0.1:" + port, s3.endpoint());
      s3.createBucket("archive");
      byte[] body = "{\"event_id\":\"1\"}\n".getBytes(StandardCharsets.UTF_8);
      try (S3Client client = client(s3, s3.secretKey())) {
        client.putObject(b -> b.bucket("archive").key("dt=2026-11-27/hour=10/part-0.json"),
            RequestBody.fromBytes(body));
        assertEquals(List.of("archive"),
            client.listBuckets().buckets().stream().map(b -> b.name()).collect(Collectors.toList()));
        assertEquals(List.of("dt=2026-11-27/hour=10/part-0.json"),
            client.listObjectsV2(b -> b.bucket("archive").prefix("dt=2026-11-27/")).contents().stream()
                .map(S3Object::key).collect(Collectors.toList()));
        byte[] read = client.getObjectAsBytes(
            b -> b.bucket("archive").key("dt=2026-11-27/hour=10/part-0.json")).asByteArray();
        assertEquals(new String(body, StandardCharsets.UTF_8), new String(read, StandardCharsets.UTF_8));
      }
      // The object is a file of the filesystem backend, under the server's directory.
      assertTrue(Files.isRegularFile(
          s3.dataDirectory().resolve("archive/dt=2026-11-27/hour=10/part-0.json")));

      // Credentials are checked: a wrong secret and an unsigned request are both refused.
      try (S3Client wrong = client(s3, "not-the-secret")) {
        S3Exception refused = assertThrows(S3Exception.class, wrong::listBuckets);
        assertEquals(403, refused.statusCode());
      }
      HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(s3.endpoint() + "/archive/dt=2026-11-27/hour=10/part-0.json"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(403, anonymous.statusCode(), anonymous.body());
    }
    assertFalse(listening(port), "S3Proxy still listens after close");
  }

  @Test
  void aFailedStartSaysWhyWithTheEndOfItsLog(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> S3ProxyServer.start(dir, taken.getLocalPort()).close());
      assertTrue(e.getMessage().startsWith("S3Proxy exited with code"), e.getMessage());
      assertTrue(e.getMessage().contains("Failed to bind to /127.0.0.1:" + taken.getLocalPort()),
          e.getMessage());
    }
  }

  private static S3Client client(S3ProxyServer s3, String secret) {
    return S3Client.builder()
        .endpointOverride(URI.create(s3.endpoint()))
        .region(Region.of(s3.region()))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), secret)))
        .forcePathStyle(true)
        .build();
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
