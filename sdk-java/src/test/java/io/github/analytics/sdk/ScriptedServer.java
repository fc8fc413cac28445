package io.github.analytics.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * A real HTTP server on loopback (the JDK's) that answers each request as a script says and records
 * what came: for the client's protocol (batching, retries, backoff), where the collector's own
 * behaviour is not the point.
 */
final class ScriptedServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one request carried. */
  record Request(long receivedNanos, String authorization, String contentEncoding, JsonNode body) {
    List<String> messageIds() {
      List<String> ids = new ArrayList<>();
      body.path("batch").forEach(m -> ids.add(m.path("messageId").asText()));
      return ids;
    }
  }

  /** An answer: status, headers (name, value pairs) and body. */
  record Answer(int status, String body, String... headers) {
    static Answer ok(int accepted) {
      return new Answer(200, "{\"success\":true,\"accepted\":" + accepted + ",\"rejected\":0}");
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  ScriptedServer(Function<Request, Answer> script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/v1/batch", exchange -> answer(exchange, script));
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Request> requests() {
    return requests;
  }

  /** Polls until {@code count} requests came, for at most {@code timeout}. */
  List<Request> awaitRequests(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (requests.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(requests.size() + " requests came within " + timeout + ", not " + count);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
    return requests;
  }

  private void answer(HttpExchange exchange, Function<Request, Answer> script) throws IOException {
    try (exchange) {
      String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
      InputStream in = "gzip".equals(encoding)
          ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody();
      Request request = new Request(System.nanoTime(), exchange.getRequestHeaders().getFirst("Authorization"),
          encoding, JSON.readTree(in.readAllBytes()));
      requests.add(request);
      Answer answer = script.apply(request);
      for (int i = 0; i + 1 < answer.headers().length; i += 2) {
        exchange.getResponseHeaders().add(answer.headers()[i], answer.headers()[i + 1]);
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(answer.status(), body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
