/** Pipeline options as small mix-in interfaces, one per concern, and their cross-field validation. */
package io.github.analytics.pipelines.options;
