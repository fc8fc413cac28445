package io.github.analytics.collector;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's HTTP server (Undertow). Paths:
 *
 * <ul>
 *   <li>{@code POST /v1/batch} and {@code /v1/import} (its alias in Segment's Java library): {@code
 *       {"batch": [messages], "sentAt", "context", "writeKey"}};
 *   <li>{@code POST /v1/track}, {@code /v1/page}, {@code /v1/screen}, {@code /v1/identify}, {@code
 *       /v1/alias}, {@code /v1/group}: one message (its {@code type} defaults to the path's);
 *   <li>{@code POST /v1/native}: {@code {"events": [native events], "writeKey"}}, the project's own
 *       format (see the README's ingest path), stamped with the server time, address and user agent;
 *   <li>{@code GET /healthz}: 200 once Kafka answers, 503 while it does not.
 * </ul>
 *
 * <p>Answers: 200 {@code {"success": true, "accepted": n, "rejected": m}} once the broker has
 * acknowledged every record of the request (rejected messages went to the dead-letter topic with
 * their reason); 400 for a body that is not what the path takes; 401 for a missing or unknown write
 * key (HTTP Basic user, or {@code writeKey} in the body); 405, 404; 413 past the limits; 415 for a
 * content type other than JSON or text/plain ({@code navigator.sendBeacon}), or an encoding other than
 * gzip; 503 with {@code Retry-After} while Kafka does not answer or the collector is saturated. Every
 * answer allows cross-origin calls.
 */
public final class CollectorServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CollectorServer.class);
  private static final Set<String> SEGMENT_CALLS = Set.of("track", "page", "screen", "identify", "alias", "group");

  private final CollectorSettings settings;
  private final WriteKeys keys;
  private final KafkaPublisher publisher;
  private final ObjectMapper mapper;
  private final SegmentTranslator translator;
  private final NativeEvents nativeEvents;
  private final GracefulShutdownHandler requests;
  private final Undertow server;

  private CollectorServer(CollectorSettings settings, WriteKeys keys, KafkaPublisher publisher) {
    this.settings = settings;
    this.keys = keys;
    this.publisher = publisher;
    this.mapper = new ObjectMapper();
    mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    mapper.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxNestingDepth(64).build());
    this.translator = new SegmentTranslator(mapper);
    this.nativeEvents = new NativeEvents(settings, mapper);
    this.requests = Handlers.gracefulShutdown(this::handle);
    this.server = Undertow.builder()
        .addHttpListener(settings.port(), settings.host())
        .setWorkerThreads(settings.workerThreads())
        // Undertow's own cut (2 MB by default) resets the connection mid-body; the collector refuses
        // past --max-request-bytes itself and reads the rest of a refused body up to DISCARD_LIMIT.
        .setServerOption(io.undertow.UndertowOptions.MAX_ENTITY_SIZE, DISCARD_LIMIT)
        .setHandler(requests)
        .build();
  }

  /** Starts a collector publishing to the Kafka cluster at {@code bootstrapServers}. */
  public static CollectorServer start(CollectorSettings settings, WriteKeys keys, String bootstrapServers) {
    settings.validate();
    KafkaPublisher publisher =
        new KafkaPublisher(bootstrapServers, settings.maxInFlightBytes(), settings.deliveryTimeout());
    CollectorServer collector = new CollectorServer(settings, keys, publisher);
    try {
      collector.server.start();
    } catch (RuntimeException e) {
      publisher.close();
      throw new IllegalStateException("The collector cannot listen on " + settings.host() + ":"
          + settings.port() + " (" + e.getMessage() + "); choose another --port", e);
    }
    LOG.info("Collector listening on {}:{}, publishing to {} (topic {}), {}", settings.host(),
        collector.port(), bootstrapServers, settings.topic(), keys);
    return collector;
  }

  /**
   * The settings of the Kafka producer a collector with {@code settings} publishes with, for a
   * baseline that produces the same records straight to the broker (the bench's collector section).
   */
  public static Map<String, Object> producerConfig(String bootstrapServers, CollectorSettings settings) {
    return KafkaPublisher.producerConfig(bootstrapServers, settings.maxInFlightBytes(), settings.deliveryTimeout());
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Whether Kafka answers, as {@code /healthz} says. */
  public boolean healthy() {
    return publisher.kafkaUp();
  }

  /**
   * Stops cleanly: new requests get 503 (clients retry them elsewhere or later), requests under way
   * finish and get their answer (for at most the delivery timeout), then the listener and the
   * producer close. So a client is never left without an answer for events Kafka has.
   */
  @Override
  public void close() {
    requests.shutdown();
    try {
      if (!requests.awaitShutdown(settings.deliveryTimeout().toMillis() + 1_000)) {
        LOG.warn("Stopping with requests still under way after {}; their clients get no answer and retry",
            settings.deliveryTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop();
    publisher.close();
  }

  /** Bytes of a request over the limit read and dropped before its 413 (see {@link #tooLarge}). */
  static final long DISCARD_LIMIT = 32L << 20;

  private void handle(HttpServerExchange exchange) {
    HttpResponses.allowCrossOrigin(exchange);
    if (exchange.getRequestMethod().equals(Methods.OPTIONS)) {
      exchange.setStatusCode(204);
      exchange.getResponseHeaders().put(new HttpString("Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
      exchange.getResponseHeaders().put(new HttpString("Access-Control-Allow-Headers"),
          "Content-Type, Content-Encoding, Authorization");
      exchange.getResponseHeaders().put(new HttpString("Access-Control-Max-Age"), "86400");
      exchange.endExchange();
      return;
    }
    String path = exchange.getRequestPath();
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1); // Segment's Java library posts to /v1/import/
    }
    if (path.equals("/healthz")) {
      boolean up = publisher.kafkaUp();
      HttpResponses.respond(exchange, up ? 200 : 503, up ? "{\"status\":\"ok\",\"kafka\":\"up\"}"
          : "{\"status\":\"unavailable\",\"kafka\":\"down\"}");
      return;
    }
    String call = path.startsWith("/v1/") ? path.substring(4) : null;
    boolean batch = "batch".equals(call) || "import".equals(call);
    boolean single = call != null && SEGMENT_CALLS.contains(call);
    boolean nativeEvents = "native".equals(call);
    if (!batch && !single && !nativeEvents) {
      HttpResponses.error(exchange, 404, "not_found", "no such path: POST /v1/batch, /v1/import, /v1/{track,page,screen,"
          + "identify,alias,group}, /v1/native, or GET /healthz");
      return;
    }
    if (!exchange.getRequestMethod().equals(Methods.POST)) {
      exchange.getResponseHeaders().put(Headers.ALLOW, "POST, OPTIONS");
      HttpResponses.error(exchange, 405, "method_not_allowed", "use POST");
      return;
    }
    if (exchange.isInIoThread()) {
      exchange.dispatch(this::handle);
      return;
    }
    exchange.startBlocking();
    try {
      receive(exchange, batch ? "batch" : call);
    } catch (RuntimeException e) {
      LOG.error("Request to {} failed", path, e);
      HttpResponses.error(exchange, 500, "internal_error", "the collector failed on this request; it was not accepted");
    }
  }

  /** A request's body, checked, translated and published; {@code call} is batch, native or a call. */
  private void receive(HttpServerExchange exchange, String call) {
    Instant receivedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String contentType = HttpRequests.mediaType(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
    if (contentType != null && !contentType.equals("application/json") && !contentType.equals("text/plain")) {
      HttpResponses.error(exchange, 415, "unsupported_media_type", "send application/json (or text/plain, as"
          + " navigator.sendBeacon does), not " + SegmentTranslator.clip(contentType));
      return;
    }
    String encoding = exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING);
    boolean gzip = encoding != null && encoding.strip().equalsIgnoreCase("gzip");
    if (encoding != null && !gzip && !encoding.strip().equalsIgnoreCase("identity")) {
      HttpResponses.error(exchange, 415, "unsupported_encoding", "the body may be gzip-compressed, nothing else");
      return;
    }
    // A key in the header can be refused before the body is read.
    Optional<String> headerKey;
    try {
      headerKey = HttpRequests.basicUser(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
    } catch (IllegalArgumentException e) {
      HttpResponses.error(exchange, 401, "unauthorized", e.getMessage());
      return;
    }
    if (headerKey.isPresent() && keys.source(headerKey.get()).isEmpty()) {
      HttpResponses.error(exchange, 401, "unauthorized", "unknown write key");
      return;
    }
    if (exchange.getRequestContentLength() > settings.maxRequestBytes()) {
      tooLarge(exchange);
      return;
    }
    byte[] body;
    try {
      InputStream in = exchange.getInputStream();
      body = HttpRequests.readAtMost(gzip ? new GZIPInputStream(in, 8192) : in, settings.maxRequestBytes());
    } catch (HttpRequests.TooLarge e) {
      tooLarge(exchange);
      return;
    } catch (ZipException | EOFException e) {
      exchange.setPersistent(false);
      HttpResponses.error(exchange, 400, "invalid_gzip", "the gzip body is truncated or not gzip: " + e.getMessage());
      return;
    } catch (IOException e) {
      exchange.setPersistent(false);
      HttpResponses.error(exchange, 400, "unreadable_body", "the body could not be read: " + e.getMessage());
      return;
    }
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (IOException e) {
      HttpResponses.error(exchange, 400, "invalid_json", "the body is not JSON: " + HttpRequests.firstLine(e));
      return;
    }
    if (!(root instanceof ObjectNode request)) {
      HttpResponses.error(exchange, 400, "invalid_request", "the body must be a JSON object");
      return;
    }
    String key = headerKey.orElseGet(() -> request.path("writeKey").isTextual()
        ? request.path("writeKey").asText() : null);
    Optional<String> source = keys.source(key);
    if (source.isEmpty()) {
      HttpResponses.error(exchange, 401, "unauthorized", key == null
          ? "no write key: send it as the HTTP Basic user or as writeKey in the body" : "unknown write key");
      return;
    }
    List<KafkaPublisher.Outgoing> records = new ArrayList<>();
    int accepted;
    if (call.equals("native")) {
      JsonNode events = request.get("events");
      if (!(events instanceof ArrayNode list)) {
        HttpResponses.error(exchange, 400, "invalid_request", "a native request is {\"events\": [...]}");
        return;
      }
      accepted = nativeEvents.collect(list, peer(exchange), exchange.getRequestHeaders().getFirst(Headers.USER_AGENT),
          receivedAt, source.get(), keys.replays(key), records);
    } else {
      ArrayNode messages;
      if (call.equals("batch")) {
        if (!(request.get("batch") instanceof ArrayNode list)) {
          HttpResponses.error(exchange, 400, "invalid_request", "a batch request is {\"batch\": [...]}");
          return;
        }
        messages = list;
      } else {
        request.remove("writeKey");
        if (!request.has("type")) {
          request.put("type", call);
        }
        messages = JsonNodeFactory.instance.arrayNode().add(request);
      }
      SegmentTranslator.RequestContext context = new SegmentTranslator.RequestContext(
          source.get(), receivedAt, peer(exchange), exchange.getRequestHeaders().getFirst(Headers.USER_AGENT),
          call.equals("batch") && request.get("context") instanceof ObjectNode c ? c : null,
          call.equals("batch") && request.path("sentAt").isTextual() ? request.path("sentAt").asText() : null);
      accepted = segmentMessages(messages, context, records);
    }
    publish(exchange, body.length, records, accepted);
  }

  private int segmentMessages(ArrayNode messages, SegmentTranslator.RequestContext context,
      List<KafkaPublisher.Outgoing> records) {
    int accepted = 0;
    long arrival = context.receivedAt().toEpochMilli();
    for (JsonNode message : messages) {
      byte[] raw = bytes(message);
      SegmentTranslator.Result result = raw.length > settings.maxEventBytes()
          ? new SegmentTranslator.Rejected(SegmentTranslator.Reason.PAYLOAD_TOO_LARGE,
              "the message is " + raw.length + " bytes, over the " + settings.maxEventBytes() + " allowed")
          : translator.translate(message, context);
      if (result instanceof SegmentTranslator.Accepted event) {
        records.add(KafkaPublisher.Outgoing.event(settings.topic(), event.userId(), event.json(), arrival,
            context.source()));
        accepted++;
      } else if (result instanceof SegmentTranslator.Rejected rejected) {
        records.add(KafkaPublisher.Outgoing.deadLetter(settings.deadLetterTopic(), raw, arrival,
            context.source(), rejected.reason(), rejected.message()));
      }
    }
    return accepted;
  }

  /** Publishes and answers: 200 once every record is acknowledged, 503 otherwise. */
  private void publish(HttpServerExchange exchange, long bytes, List<KafkaPublisher.Outgoing> records,
      int accepted) {
    if (!publisher.kafkaUp()) {
      HttpResponses.unavailable(exchange, "Kafka does not answer; nothing of this request was accepted");
      return;
    }
    if (!publisher.tryReserve(bytes)) {
      HttpResponses.unavailable(exchange, "the collector is saturated; nothing of this request was accepted");
      return;
    }
    try {
      publisher.publish(records)
          .get(settings.deliveryTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      HttpResponses.unavailable(exchange, "Kafka did not acknowledge every event (" + HttpRequests.firstLine(e.getCause() == null ? e : e.getCause())
          + "); retry the whole request, events already written are deduplicated by their id");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      HttpResponses.unavailable(exchange, "the collector is stopping");
      return;
    } finally {
      publisher.release(bytes);
    }
    HttpResponses.respond(exchange, 200, "{\"success\":true,\"accepted\":" + accepted + ",\"rejected\":"
        + (records.size() - accepted) + "}");
  }

  private byte[] bytes(JsonNode node) {
    return NativeEvents.bytes(mapper, node);
  }

  private static String peer(HttpServerExchange exchange) {
    InetSocketAddress address = exchange.getSourceAddress();
    return address == null || address.getAddress() == null ? null : address.getAddress().getHostAddress();
  }

  /**
   * 413, after reading and dropping the rest of the body up to {@link #DISCARD_LIMIT} bytes, so that
   * the client reads the status (an SDK drops or splits a batch on 413 and retries on a broken
   * connection). A larger body is cut, and its client may see a reset connection instead.
   */
  private void tooLarge(HttpServerExchange exchange) {
    exchange.setPersistent(false);
    if (exchange.getRequestContentLength() <= DISCARD_LIMIT) {
      try {
        if (!HttpRequests.discard(exchange.getInputStream(), DISCARD_LIMIT)) {
          LOG.debug("A request over the limit went on past {} bytes; its connection is cut", DISCARD_LIMIT);
        }
      } catch (IOException e) {
        LOG.debug("The client of a request over the limit went away while its body was dropped", e);
      }
    }
    HttpResponses.error(exchange, 413, "payload_too_large", "a request may carry " + settings.maxRequestBytes()
        + " bytes (after decompression) and a message " + settings.maxEventBytes());
  }

}
