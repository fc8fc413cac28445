package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesWriterTest {
  @TempDir Path dir;

  @Test
  void writesEachPayloadUnchangedOnItsOwnLine() throws Exception {
    GeneratorConfig config =
        GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)).withEvents(10_000).withUsers(1_000).withMalformedShare(0.2);
    List<byte[]> payloads = new ArrayList<>();
    Path file = dir.resolve("nested/events.jsonl");
    try (JsonLinesWriter out = JsonLinesWriter.to(file)) {
      EventGenerator.of(config)
          .generate(
              record -> {
                out.write(record.raw());
                payloads.add(record.payload());
              });
      assertEquals(payloads.size(), out.records());
    }
    List<byte[]> lines = splitLines(Files.readAllBytes(file));
    assertEquals(payloads.size(), lines.size());
    for (int i = 0; i < payloads.size(); i++) {
      assertArrayEquals(payloads.get(i), lines.get(i), "line " + i);
    }
  }

  @Test
  void writesToAStream() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonLinesWriter out = JsonLinesWriter.to(bytes)) {
      out.write(new byte[] {'{', '}'});
      out.write(new byte[] {'[', (byte) 0xC3, (byte) 0x28, ']'});
    }
    assertArrayEquals(new byte[] {'{', '}', '\n', '[', (byte) 0xC3, (byte) 0x28, ']', '\n'}, bytes.toByteArray());
  }

  private static List<byte[]> splitLines(byte[] content) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        lines.add(Arrays.copyOfRange(content, start, i));
        start = i + 1;
      }
    }
    assertEquals(content.length, start, "the file must end with a newline");
    return lines;
  }
}
