/**
 * Small pure-Java helpers with no dependencies, shared by the Beam transforms and the collector
 * (which has no Beam on its classpath): ISO-8601 timestamps read and written by hand.
 */
package io.github.analytics.common;
