package dev.toriimcp.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** A java.util.logging handler that keeps every record it is given, for tests that read logs. */
public final class LogCapture extends Handler {

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  /** The records so far, live: it grows as records arrive (safe to read from any thread). */
  public List<LogRecord> records() {
    return records;
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
