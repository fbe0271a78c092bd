package dev.toriimcp.mcp;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The load generator in the benchmark's own JVM: {@code java.net.http} over HTTP/1.1 (no h2c
 * upgrade attempt), one thread per concurrent client, each sending its next request when the
 * previous answer is read.
 */
final class JavaLoad implements LoadGenerator {

  /** Per thread and measurement: a bound on memory, far above what a 10 s row reaches. */
  private static final int MAX_SAMPLES = 1 << 22;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newFixedThreadPool(8)).build();

  @Override
  public String name() {
    return "java.net.http";
  }

  @Override
  public Measurement measure(BenchRequest request, int concurrency, Duration duration) throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<Future<long[]>> futures = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      futures.add(workers.submit(() -> {
        long[] latencies = new long[1 << 14];
        int n = 0;
        while (System.nanoTime() < end && n < MAX_SAMPLES) {
          if (n == latencies.length) {
            latencies = Arrays.copyOf(latencies, 2 * n);
          }
          long begin = System.nanoTime();
          HttpResponse<byte[]> response = client.send(request.toHttpRequest(),
              HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                + new String(response.body(), StandardCharsets.UTF_8));
          }
          latencies[n++] = System.nanoTime() - begin;
        }
        return Arrays.copyOf(latencies, n);
      }));
    }
    List<long[]> perThread = new ArrayList<>();
    for (Future<long[]> future : futures) {
      perThread.add(future.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    workers.shutdown();
    long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Measurement(all.length, seconds, percentile(all, 0.50), percentile(all, 0.99));
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
