package io.github.analytics.collector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/** What the collector reads from a request: the body within its limit, the write key, the media type. */
final class HttpRequests {
  private HttpRequests() {}

  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Reads {@code in} to its end; throws {@link TooLarge} past {@code limit} bytes (a gzip bomb too). */
  static byte[] readAtMost(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 16 * 1024));
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      if (out.size() + n > limit) {
        throw new TooLarge();
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * Reads and drops what is left of {@code in}, at most {@code limit} bytes; true if it reached the
   * end. A server that answers before the body is read and closes the connection with bytes unread
   * makes the client's TCP stack reset it, and the reset can destroy the answer before the client
   * reads it: the client sees a broken connection instead of the status, and retries.
   */
  static boolean discard(InputStream in, long limit) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long read = 0;
    int n;
    while ((n = in.read(buffer)) >= 0) {
      read += n;
      if (read > limit) {
        return false;
      }
    }
    return true;
  }

  /** The HTTP Basic user (the write key; the password is ignored), if the header is Basic. */
  static Optional<String> basicUser(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return Optional.empty();
    }
    String[] parts = authorization.strip().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Basic")) {
      throw new IllegalArgumentException("the Authorization header must be Basic <base64 of writeKey:>");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the Authorization header is not valid base64");
    }
    int colon = decoded.indexOf(':');
    return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
  }

  static String mediaType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
  }

  /** The first line of an exception's message, clipped: what an error answer quotes. */
  static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return SegmentTranslator.clip(newline < 0 ? message : message.substring(0, newline));
  }
}
