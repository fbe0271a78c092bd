package dev.toriimcp.platform.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One row per successful deployment of the gateway: when, which version, how many backends. It
 * gives operators a start history and proves, from /health, that the database survives
 * restarts.
 */
@Entity
@Table(name = "platform_startup")
@NamedQuery(name = StartupRecord.COUNT, query = "SELECT COUNT(s) FROM StartupRecord s")
@NamedQuery(name = StartupRecord.FIRST, query = "SELECT MIN(s.startedAt) FROM StartupRecord s")
public class StartupRecord {

  public static final String COUNT = "StartupRecord.count";
  public static final String FIRST = "StartupRecord.first";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "started_at", nullable = false)
  private Instant startedAt;

  @Column(name = "gateway_version", nullable = false, length = 64)
  private String gatewayVersion;

  @Column(name = "backend_count", nullable = false)
  private int backendCount;

  protected StartupRecord() {}

  public StartupRecord(Instant startedAt, String gatewayVersion, int backendCount) {
    this.startedAt = startedAt;
    this.gatewayVersion = gatewayVersion;
    this.backendCount = backendCount;
  }

  public Long id() {
    return id;
  }

  public Instant startedAt() {
    return startedAt;
  }
}
