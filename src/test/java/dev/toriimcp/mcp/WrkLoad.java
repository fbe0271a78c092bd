package dev.toriimcp.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A load generator outside the JVM, as an independent measurement would use: {@code wrk}
 * (C, HTTP/1.1 keep-alive, an event loop per thread) driven by {@code bench/request.lua}, which
 * sends the benchmark's request with its headers and body. {@code wrk} counts a request when
 * its answer is read; its latencies are per request, without coordinated-omission correction,
 * like the JDK load generator's.
 */
final class WrkLoad implements LoadGenerator {

  private static final Pattern SUMMARY = Pattern.compile("BENCH requests=(\\d+) duration_us=(\\d+)"
      + " p50_us=(\\d+) p99_us=(\\d+) status=(\\d+) connect=(\\d+) read=(\\d+) write=(\\d+) timeout=(\\d+)");

  private final Path script;

  private WrkLoad(Path script) {
    this.script = script;
  }

  /** Fails with how to install {@code wrk} when it is missing. */
  static WrkLoad create() throws IOException, InterruptedException {
    try {
      Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      probe.waitFor();
    } catch (IOException missing) {
      throw new IllegalStateException("-Dbench.client=wrk needs wrk on the PATH: install it with"
          + " `sudo apt-get install -y wrk` (Debian, Ubuntu) or `brew install wrk` (macOS)");
    }
    Path script = Files.createTempFile(Path.of("target"), "bench-request", ".lua");
    try (InputStream lua = WrkLoad.class.getResourceAsStream("/bench/request.lua")) {
      Files.write(script, lua.readAllBytes());
    }
    script.toFile().deleteOnExit();
    return new WrkLoad(script);
  }

  @Override
  public String name() {
    return "wrk";
  }

  @Override
  public Measurement measure(BenchRequest request, int concurrency, Duration duration) throws Exception {
    int threads = Math.min(concurrency, 2);
    ProcessBuilder builder = new ProcessBuilder("wrk", "-t", String.valueOf(threads),
        "-c", String.valueOf(concurrency), "-d", duration.toSeconds() + "s", "--timeout", "10s",
        "-s", script.toString(), request.uri().toString()).redirectErrorStream(true);
    builder.environment().put("BENCH_METHOD", request.method());
    builder.environment().put("BENCH_BODY", request.body() == null ? ""
        : new String(request.body(), StandardCharsets.UTF_8));
    builder.environment().put("BENCH_HEADERS", request.headers().entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n")));
    Process wrk = builder.start();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (wrk.waitFor() != 0) {
      throw new IllegalStateException("wrk failed: " + output);
    }
    Matcher m = SUMMARY.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("wrk printed no summary: " + output);
    }
    long errors = 0;
    for (int g = 5; g <= 9; g++) {
      errors += Long.parseLong(m.group(g));
    }
    if (errors > 0) {
      throw new IllegalStateException("wrk saw failed requests (status >= 400, or connect, read,"
          + " write or timeout errors) for " + request.method() + " " + request.uri() + ": " + output);
    }
    return new Measurement(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) / 1e6,
        Long.parseLong(m.group(3)) / 1e3, Long.parseLong(m.group(4)) / 1e3);
  }
}
