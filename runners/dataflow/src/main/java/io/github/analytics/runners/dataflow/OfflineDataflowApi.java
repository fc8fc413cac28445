package io.github.analytics.runners.dataflow;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.json.Json;
import com.google.api.client.testing.http.MockHttpTransport;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.api.services.dataflow.Dataflow;
import com.google.api.services.dataflow.model.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.extensions.gcp.util.Transport;

/**
 * The Dataflow API client the runner is given for an offline check: an HTTP transport that never
 * opens a connection. It answers the runner's one create-job request with a job id and keeps the
 * request body, which is exactly what the runner would have sent; any other call fails, so a runner
 * change that starts calling the service before the job is created shows up here.
 */
final class OfflineDataflowApi {
  static final String JOB_ID = "offline-check";

  private final List<String> unexpected = new ArrayList<>();
  private String createRequest;
  private final Dataflow client;

  OfflineDataflowApi(DataflowPipelineOptions options) {
    MockHttpTransport transport =
        new MockHttpTransport() {
          @Override
          public LowLevelHttpRequest buildRequest(String method, String url) {
            return new MockLowLevelHttpRequest(url) {
              @Override
              public LowLevelHttpResponse execute() throws IOException {
                return answer(method, url, this);
              }
            };
          }
        };
    this.client =
        new Dataflow.Builder(transport, Transport.getJsonFactory(), null)
            .setApplicationName(options.getAppName())
            .setRootUrl(options.getApiRootUrl())
            .setServicePath(options.getDataflowEndpoint())
            .build();
  }

  private synchronized LowLevelHttpResponse answer(
      String method, String url, MockLowLevelHttpRequest request) throws IOException {
    if (method.equals("POST") && url.matches(".*/projects/[^/]+/locations/[^/]+/jobs(\\?.*)?")
        && createRequest == null) {
      createRequest = request.getContentAsString();
      return new MockLowLevelHttpResponse()
          .setContentType(Json.MEDIA_TYPE)
          .setContent("{\"id\":\"" + JOB_ID + "\",\"currentState\":\"JOB_STATE_PENDING\"}");
    }
    unexpected.add(method + " " + url);
    return new MockLowLevelHttpResponse()
        .setStatusCode(501)
        .setContentType(Json.MEDIA_TYPE)
        .setContent(
            "{\"error\":{\"code\":501,\"message\":\"offline check: no Dataflow service here\"}}");
  }

  Dataflow client() {
    return client;
  }

  /** The job the runner asked to create, parsed from the request it sent. */
  synchronized Job createdJob() throws IOException {
    if (createRequest == null) {
      throw new IllegalStateException(
          "The runner never asked to create a job"
              + (unexpected.isEmpty() ? "" : "; it called " + unexpected)
              + ": an unsupported Beam change, or --templateLocation/--dataflowJobFile is set");
    }
    return Transport.getJsonFactory().fromString(createRequest, Job.class);
  }

  /** Bytes of the create-job request body (UTF-8 JSON, before the client's gzip). */
  synchronized int createRequestBytes() {
    return createRequest == null ? -1 : createRequest.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Calls other than the create-job request, which this check answers with an error. */
  synchronized List<String> unexpectedCalls() {
    return List.copyOf(unexpected);
  }
}
