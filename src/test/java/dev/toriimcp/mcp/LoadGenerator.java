package dev.toriimcp.mcp;

import java.time.Duration;

/** Sends one request at a fixed concurrency for a fixed time, each connection kept alive. */
interface LoadGenerator {

  /** What one measurement saw: requests answered 200, the time, and the latency percentiles. */
  record Measurement(long requests, double seconds, double p50Millis, double p99Millis) {
    double throughput() {
      return requests / seconds;
    }
  }

  /** A name for the printed table. */
  String name();

  /** Runs the load; fails if any answer is not 200 or any connection fails. */
  Measurement measure(BenchRequest request, int concurrency, Duration duration) throws Exception;
}
