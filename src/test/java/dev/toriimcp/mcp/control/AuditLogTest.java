package dev.toriimcp.mcp.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit writer: every line logged once, in order, with its call's time, none lost at stop. */
class AuditLogTest {

  private final LogCapture capture = new LogCapture();
  private final List<LogRecord> logged = capture.records();
  private final AuditLog audit = new AuditLog();

  @BeforeEach
  void attach() {
    AuditLog.LOGGER.setUseParentHandlers(false); // keep the test's console quiet
    AuditLog.LOGGER.addHandler(capture);
    audit.start();
  }

  @AfterEach
  void detach() {
    AuditLog.LOGGER.removeHandler(capture);
    AuditLog.LOGGER.setUseParentHandlers(true);
  }

  @Test
  void linesArriveInOrderWithTheTimeOfTheCall() throws Exception {
    Instant before = Instant.now();
    for (int i = 0; i < 3000; i++) {
      audit.write("tool-call " + i);
    }
    Instant after = Instant.now();

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (logged.size() < 3000 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    audit.stop();

    assertThat(logged).hasSize(3000);
    for (int i = 0; i < 3000; i++) {
      assertThat(logged.get(i).getMessage()).isEqualTo("tool-call " + i);
    }
    assertThat(logged).allSatisfy(r -> assertThat(r.getInstant()).isBetween(before, after));
    assertThat(logged).allSatisfy(r -> assertThat(r.getLoggerName()).isEqualTo("dev.toriimcp.audit"));
  }

  @Test
  void stoppingWritesWhatIsStillQueued() {
    for (int i = 0; i < 100; i++) {
      audit.write("tool-call " + i);
    }

    audit.stop();

    assertThat(logged).extracting(LogRecord::getMessage).hasSize(100).startsWith("tool-call 0")
        .endsWith("tool-call 99");
  }

  @Test
  void linesWrittenAfterStopAreLoggedAtOnce() {
    audit.stop();

    audit.write("tool-call late");

    assertThat(logged).extracting(LogRecord::getMessage).containsExactly("tool-call late");
  }
}
