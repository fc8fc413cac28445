package io.github.analytics.collector;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The collector's answers: JSON bodies, errors with a code and a message, CORS and Retry-After headers. */
final class HttpResponses {
  private static final Logger LOG = LoggerFactory.getLogger(HttpResponses.class);
  private static final HttpString RETRY_AFTER = new HttpString("Retry-After");
  /** What a 503 tells the client to wait, in seconds. */
  static final int RETRY_AFTER_SECONDS = 5;

  private HttpResponses() {}

  static void allowCrossOrigin(HttpServerExchange exchange) {
    String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
    exchange.getResponseHeaders().put(new HttpString("Access-Control-Allow-Origin"), origin == null ? "*" : origin);
    if (origin != null) {
      exchange.getResponseHeaders().put(Headers.VARY, "Origin");
    }
  }

  static void unavailable(HttpServerExchange exchange, String message) {
    exchange.getResponseHeaders().put(RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
    error(exchange, 503, "unavailable", message);
  }

  static void error(HttpServerExchange exchange, int status, String code, String message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("success", false);
    body.put("error", code);
    body.put("message", message);
    respond(exchange, status, body.toString());
  }

  static void respond(HttpServerExchange exchange, int status, String json) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.setResponseContentLength(bytes.length);
    if (exchange.isBlocking()) {
      try {
        exchange.getOutputStream().write(bytes);
      } catch (IOException e) {
        LOG.debug("The client went away before its answer", e);
      }
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(bytes));
    }
  }
}
