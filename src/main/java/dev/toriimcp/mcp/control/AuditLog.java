package dev.toriimcp.mcp.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The audit line of each tool call, logged on logger {@code dev.toriimcp.audit} (level INFO) by
 * one background thread, so the server's handlers (format, lock, write) are off the request
 * path: measured, a synchronous line through Payara's console handler halved tool-call
 * throughput at concurrency 64. The thread looks at the queue every 50 ms rather than waiting on
 * it: waking it for each line cost a third of the throughput again. Each record keeps the time
 * of its call. Lines are never dropped: when the queue is full the caller logs its line itself.
 * Stopping the application writes what is queued.
 */
@ApplicationScoped
public class AuditLog {

  static final Logger LOGGER = Logger.getLogger("dev.toriimcp.audit");
  private static final int CAPACITY = 16_384;
  private static final long PAUSE_MILLIS = 50;

  private final BlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
  private volatile boolean running = true;
  private Thread writer;

  @PostConstruct
  void start() {
    writer = new Thread(this::drain, "torii-audit");
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues one line; never blocks for long, never loses it. */
  public void write(String line) {
    if (!LOGGER.isLoggable(Level.INFO)) {
      return;
    }
    LogRecord record = new LogRecord(Level.INFO, line);
    record.setLoggerName(LOGGER.getName());
    // Set, so that no handler walks the writer thread's stack to find them.
    record.setSourceClassName(McpDispatcher.class.getName());
    record.setSourceMethodName("toolsCall");
    if (!running || !queue.offer(record)) {
      LOGGER.log(record);
    }
  }

  private void drain() {
    List<LogRecord> batch = new ArrayList<>(1024);
    while (running || !queue.isEmpty()) {
      try {
        if (queue.drainTo(batch, 1024) == 0) {
          // Polling, not waiting on the queue: a waiting writer would have to be woken for
          // every line, a thread switch per tool call.
          Thread.sleep(PAUSE_MILLIS);
          continue;
        }
        batch.forEach(LOGGER::log);
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        // A failing handler must not end auditing; the server reports handler errors itself.
        batch.clear();
      }
    }
  }

  @PreDestroy
  void stop() {
    running = false;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LogRecord left;
    while ((left = queue.poll()) != null) {
      LOGGER.log(left);
    }
  }
}
