package io.github.analytics.pipelines.backfill;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The per-day completion markers of a warehouse: {@code <root>/<YYYY-MM-DD>.json}, one {@link
 * CompletionMarker} each, on any Beam file system (local, s3://, gs://). A marker is removed before
 * its day is re-run and written only once the day's rows are committed, so a marker never outlives a
 * failed run.
 */
public final class CompletionMarkers {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final String root;

  private CompletionMarkers(String root) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public static CompletionMarkers at(String root) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("--markerRoot is empty: give a directory for the completion markers");
    }
    return new CompletionMarkers(root);
  }

  public String root() {
    return root;
  }

  /** Where the marker of {@code day} lives. */
  public String path(LocalDate day) {
    return root + "/" + day + ".json";
  }

  /** The marker of {@code day}, if the day was completed. */
  public Optional<CompletionMarker> read(LocalDate day) {
    try {
      MatchResult match = FileSystems.match(path(day), EmptyMatchTreatment.ALLOW);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        return Optional.empty();
      }
      try (InputStream in = Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
        return Optional.of(JSON.readValue(in, CompletionMarker.class));
      }
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the completion marker " + path(day)
              + ": fix or delete it (the day is then re-run)", e);
    }
  }

  /** Writes the marker of its day, replacing any older one. */
  public void write(CompletionMarker marker) {
    LocalDate day = LocalDate.parse(marker.day());
    ResourceId file = FileSystems.matchNewResource(path(day), false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(file, "application/json"))) {
      JSON.writeValue(out, marker);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the completion marker " + path(day), e);
    }
  }

  /** Removes the marker of {@code day}, if any. */
  public void delete(LocalDate day) {
    try {
      FileSystems.delete(
          List.of(FileSystems.matchNewResource(path(day), false)),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot remove the completion marker " + path(day) + " before re-running its day", e);
    }
  }
}
