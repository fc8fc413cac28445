package io.github.analytics.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notification log: every notification is written (and forced to disk) before it is sent, and its
 * delivery once the receiver acknowledged it, one JSON line each in {@code <state-dir>/notifications.jsonl}.
 * After a restart the notifications not delivered are sent again (none lost) and the delivered ones are
 * not (none repeated; a crash between a receiver's acknowledgement and the write of the delivery can
 * repeat one, with the same {@code Idempotency-Key}). On start-up the log is compacted to what is still
 * needed: each group's last notification and the undelivered ones.
 */
final class NotificationLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FILE = "notifications.jsonl";

  /** What the log held at start-up. */
  record Contents(List<Notifier.Notification> lastOfEachGroup, List<Notifier.Notification> undelivered) {}

  private final Path file;
  private final FileChannel channel;
  private final Contents contents;

  private NotificationLog(Path file, FileChannel channel, Contents contents) {
    this.file = file;
    this.channel = channel;
    this.contents = contents;
  }

  /** Opens the log in {@code stateDir}, reading and compacting what an earlier run left. */
  static NotificationLog open(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
      Path file = stateDir.resolve(FILE);
      Map<String, Notifier.Notification> lastOfGroup = new LinkedHashMap<>();
      Map<String, Notifier.Notification> undelivered = new LinkedHashMap<>();
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int lineNumber = 1; lineNumber <= lines.size(); lineNumber++) {
          String line = lines.get(lineNumber - 1);
          if (line.isBlank()) {
            continue;
          }
          JsonNode record;
          try {
            record = JSON.readTree(line);
          } catch (IOException e) {
            // Only the last line can be torn, by a crash while it was written: it was never sent.
            if (lineNumber == lines.size()) {
              break;
            }
            throw new IllegalStateException(file + " line " + lineNumber + " is not JSON: move the file away to"
                + " start afresh (its undelivered notifications are then lost)", e);
          }
          String id = record.path("id").asText();
          if ("notification".equals(record.path("type").asText())) {
            Notifier.Notification n = new Notifier.Notification(id, record.path("group_key").asText(),
                Instant.parse(record.path("created_at").asText()), (ObjectNode) record.path("payload"));
            lastOfGroup.remove(n.groupKey());
            lastOfGroup.put(n.groupKey(), n);
            undelivered.put(id, n);
          } else {
            undelivered.remove(id);
          }
        }
      }
      Contents contents = new Contents(List.copyOf(lastOfGroup.values()), List.copyOf(undelivered.values()));
      // Compact: rewrite what is still needed, then swap it in.
      Path fresh = stateDir.resolve(FILE + ".compacting");
      Files.deleteIfExists(fresh);
      try (FileChannel out = FileChannel.open(fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (Notifier.Notification n : contents.lastOfEachGroup()) {
          write(out, notificationLine(n));
          if (!undelivered.containsKey(n.id())) {
            write(out, deliveredLine(n.id(), n.createdAt()));
          }
        }
        for (Notifier.Notification n : contents.undelivered()) {
          if (!lastOfGroup.containsKey(n.groupKey()) || lastOfGroup.get(n.groupKey()) != n) {
            write(out, notificationLine(n));
          }
        }
        out.force(true);
      }
      Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new NotificationLog(file, channel, contents);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the notification log in " + stateDir, e);
    }
  }

  Contents contents() {
    return contents;
  }

  Path file() {
    return file;
  }

  /** Records a notification before it is sent. */
  void append(Notifier.Notification notification) {
    write(notificationLine(notification));
  }

  /** Records that the receiver acknowledged a notification. */
  void delivered(String id, Instant at) {
    write(deliveredLine(id, at));
  }

  private void write(String line) {
    try {
      write(channel, line);
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the notification log " + file, e);
    }
  }

  private static void write(FileChannel out, String line) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }

  private static String notificationLine(Notifier.Notification n) {
    ObjectNode line = JSON.createObjectNode();
    line.put("type", "notification");
    line.put("id", n.id());
    line.put("group_key", n.groupKey());
    line.put("created_at", n.createdAt().toString());
    line.set("payload", n.payload());
    return line.toString();
  }

  private static String deliveredLine(String id, Instant at) {
    ObjectNode line = JSON.createObjectNode();
    line.put("type", "delivered");
    line.put("id", id);
    line.put("at", at.toString());
    return line.toString();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
