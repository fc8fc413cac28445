package io.github.analytics.alerting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert: its labels (which identify it: the fingerprint is a hash of them, as in Alertmanager),
 * its annotations, the value that made it active and since when it has been active.
 */
record Alert(String fingerprint, Map<String, String> labels, Map<String, String> annotations, double value,
    Instant activeSince) {

  static Alert of(Map<String, String> labels, Map<String, String> annotations, double value, Instant activeSince) {
    Map<String, String> sorted = new TreeMap<>(labels);
    return new Alert(fingerprint(sorted), sorted, annotations, value, activeSince);
  }

  Alert since(Instant when) {
    return new Alert(fingerprint, labels, annotations, value, when);
  }

  /** The first 16 hex digits of the SHA-256 of the sorted labels. */
  static String fingerprint(Map<String, String> labels) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(labels).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
