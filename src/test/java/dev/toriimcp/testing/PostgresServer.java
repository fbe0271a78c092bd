package dev.toriimcp.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, throw-away PostgreSQL server from the machine's packages (Debian: {@code apt-get install
 * postgresql}), started in a temporary directory on a free loopback port and deleted on close.
 * When the tests run as root, the server runs as the {@code postgres} user, since PostgreSQL
 * refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {

  private static final String USER = "torii";

  private final Path bin;
  private final Path directory;
  private final int port;

  private PostgresServer(Path bin, Path directory, int port) {
    this.bin = bin;
    this.directory = directory;
    this.port = port;
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    Path bin = findBinaries();
    Path directory = Files.createTempDirectory(Path.of("/tmp"), "torii-pg-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    PostgresServer server = new PostgresServer(bin, directory, port);
    if (isRoot()) {
      run(List.of("chown", "postgres:postgres", directory.toString()));
    }
    server.runAsOwner(bin.resolve("initdb"), "-D", directory.resolve("data").toString(),
        "-U", USER, "--auth=trust", "--encoding=UTF8", "--no-sync");
    server.runAsOwner(bin.resolve("pg_ctl"), "-D", directory.resolve("data").toString(),
        "-l", directory.resolve("server.log").toString(), "-w", "-t", "60",
        "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
    return server;
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** The database user, which needs no password (trust authentication on loopback). */
  public String user() {
    return USER;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, "");
  }

  @Override
  public void close() throws IOException {
    try {
      runAsOwner(bin.resolve("pg_ctl"), "-D", directory.resolve("data").toString(),
          "-m", "immediate", "-w", "stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void runAsOwner(Path program, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(program.toString());
    command.addAll(List.of(arguments));
    run(command);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("PostgreSQL set-up failed: " + String.join(" ", command) + "\n" + output);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path findBinaries() throws IOException {
    String configured = System.getenv("PG_BIN");
    if (configured != null) {
      return Path.of(configured);
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        return versions.map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString()
                .replaceAll("\\D", "0"))))
            .orElseThrow(() -> missing());
      }
    }
    throw missing();
  }

  private static IOException missing() {
    return new IOException("PostgreSQL server binaries not found: install them"
        + " (Debian: apt-get install postgresql; .ci/run does) or set PG_BIN to the directory"
        + " holding initdb and pg_ctl");
  }
}
