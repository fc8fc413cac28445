package io.github.analytics.runners.dataflow;

import com.google.api.services.dataflow.model.DataflowPackage;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.dataflow.util.PackageUtil;
import org.apache.beam.runners.dataflow.util.Stager;

/**
 * A {@link Stager} that uploads nothing: it names each file where {@code GcsStager} would put it under
 * the staging location and remembers what it was given, so the runner can build the job offline.
 */
final class OfflineStager implements Stager {
  private final String stagingLocation;
  private final List<String> stagedFiles = new ArrayList<>();
  private byte[] pipelineProto;

  OfflineStager(String stagingLocation) {
    this.stagingLocation = stagingLocation.endsWith("/") ? stagingLocation : stagingLocation + "/";
  }

  @Override
  public List<DataflowPackage> stageFiles(List<PackageUtil.StagedFile> filesToStage) {
    List<DataflowPackage> packages = new ArrayList<>();
    for (PackageUtil.StagedFile file : filesToStage) {
      stagedFiles.add(file.getSource());
      packages.add(
          new DataflowPackage()
              .setName(file.getDestination())
              .setLocation(stagingLocation + file.getDestination()));
    }
    return packages;
  }

  @Override
  public DataflowPackage stageToFile(byte[] bytes, String baseName) {
    if (baseName.equals("pipeline.pb")) {
      pipelineProto = bytes.clone();
    }
    return new DataflowPackage().setName(baseName).setLocation(stagingLocation + baseName);
  }

  /** The local files the runner asked to stage (the classpath, or the bundle jar). */
  List<String> stagedFiles() {
    return List.copyOf(stagedFiles);
  }

  /** The portable pipeline proto the runner stages next to the job, or null if none. */
  byte[] pipelineProto() {
    return pipelineProto == null ? null : pipelineProto.clone();
  }
}
