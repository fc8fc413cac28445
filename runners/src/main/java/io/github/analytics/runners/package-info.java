/**
 * The command-line entry point ({@code analytics}) and what makes the pipelines runnable on each
 * runner: the direct, Flink and Spark runners are on this module's classpath.
 */
package io.github.analytics.runners;
