/**
 * Google Cloud Dataflow: the bundle's offline launch check. {@link
 * io.github.analytics.runners.dataflow.DataflowJobCheck} turns a pipeline built with Dataflow options
 * into the Dataflow {@code Job} that {@code DataflowRunner} would submit, through the runner's own job
 * construction with a stager and an API client that never leave the process; {@link
 * io.github.analytics.runners.dataflow.DataflowCheck} is its command line. The Flex Template files are
 * in {@code deploy/dataflow/}.
 */
package io.github.analytics.runners.dataflow;
