package io.github.analytics.runners;

import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.KafkaWriter;

/** Where the demo's records go: the collector over HTTP, or straight into Kafka. */
final class DemoFeed implements AutoCloseable {
  private final CollectorFeed collector;
  private final KafkaWriter kafka;
  private boolean closed;

  DemoFeed(CollectorFeed collector) {
    this.collector = collector;
    this.kafka = null;
  }

  DemoFeed(KafkaWriter kafka) {
    this.collector = null;
    this.kafka = kafka;
  }

  void send(GeneratedRecord record) {
    if (collector != null) {
      collector.send(record);
    } else {
      kafka.write(record);
    }
  }

  void count(LambdaDemo.Live progress) {
    if (collector != null) {
      progress.published.set(collector.accepted());
      progress.doorDeadLetters.set(collector.deadLettered());
      progress.refused.set(collector.refused());
      progress.requests.set(collector.requests());
    } else {
      progress.published.set(kafka.sent());
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (collector != null) {
        collector.close();
      } else {
        kafka.close();
      }
    }
  }
}
