package dev.toriimcp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared corpus of real public OpenAPI/Swagger documents ({@code ../shared/specs}, or the
 * directory named by the system property {@code torii.specs}), with the operation counts its
 * MANIFEST.md gives for each: an oracle independent of our own parsing.
 */
public final class SpecCorpus {

  /** One corpus entry: the root document and its operation count from the manifest. */
  public record Spec(String name, Path root, int operations) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Pattern ROW = Pattern.compile(
      "^\\| ([^|]+?) \\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\| (\\d+) \\|.*$");
  private static final Pattern FOLDER = Pattern.compile("^(\\S+)/ \\(\\d+ files?; root: ([^)]+)\\)$");

  private SpecCorpus() {}

  public static Path directory() {
    Path directory = Path.of(System.getProperty("torii.specs", "../shared/specs"));
    if (!Files.isDirectory(directory)) {
      throw new IllegalStateException("the spec corpus is not at " + directory.toAbsolutePath()
          + "; set -Dtorii.specs=<dir>");
    }
    return directory;
  }

  public static List<Spec> all() throws IOException {
    Path directory = directory();
    List<Spec> specs = new ArrayList<>();
    for (String line : Files.readAllLines(directory.resolve("MANIFEST.md"))) {
      Matcher row = ROW.matcher(line);
      if (!row.matches() || row.group(1).equals("File")) {
        continue;
      }
      String file = row.group(1).trim();
      Matcher folder = FOLDER.matcher(file);
      Path root = folder.matches()
          ? directory.resolve(folder.group(1)).resolve(folder.group(2).trim())
          : directory.resolve(file);
      String name = folder.matches() ? folder.group(1) : file;
      specs.add(new Spec(name, root, Integer.parseInt(row.group(2))));
    }
    if (specs.isEmpty()) {
      throw new IllegalStateException("no spec rows found in " + directory.resolve("MANIFEST.md"));
    }
    return specs;
  }

  public static Spec named(String name) throws IOException {
    return all().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no spec " + name));
  }
}
