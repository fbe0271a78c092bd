package dev.toriimcp.configuration.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.ConfigurationException;
import dev.toriimcp.configuration.entity.ConfigurationProblem;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationReaderTest {

  private static final Path FILE = Path.of("/etc/torii/mcp-proxy.yaml");
  private static final String SECRET = "s3cr3t-Value-That-Must-Not-Leak";

  private static final String KEY = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";
  private final Map<String, String> environment =
      Map.of("API_HOST", "api.example.com", "TOKEN", SECRET, "TOKEN_KEY", KEY);
  private final Map<String, String> jndi = Map.of("torii/spec", "https://specs.example.com/a.yaml");
  private final ConfigurationReader reader = new ConfigurationReader(new PlaceholderResolver(
      environment::get, name -> null, name -> Optional.ofNullable(jndi.get(name))));

  @Test
  void readsEveryKeyOfAFullConfiguration() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: https://mcp.example.com
        backends:
          - name: petstore
            spec_url: specs/petstore.yaml
            base_url: https://${API_HOST}/v1
            policy:
              allow: ["GET /pets*"]
              deny: ["DELETE *"]
              tags: {include: [pets], exclude: [admin]}
            auth: {type: login-broker, login_url: "https://${API_HOST}/login"}
          - name: remote
            spec_url: ${jndi:torii/spec}
            auth: {type: oauth2, issuer: https://idp.example.com, client_id: torii, scopes: openid}
        storage:
          datasource: jdbc/torii
        sealing:
          keys:
            - {id: old, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}
            - {id: new, secret: "${TOKEN_KEY}"}
          current: old
        """);

    assertThat(configuration.publicUrl()).isEqualTo(URI.create("https://mcp.example.com"));
    assertThat(configuration.storage().dataSource()).isEqualTo("jdbc/torii");
    BackendDefinition petstore = configuration.backend("petstore").orElseThrow();
    assertThat(petstore.specLocation()).isEqualTo(Path.of("/etc/torii/specs/petstore.yaml").toUri());
    assertThat(petstore.baseUrl()).isEqualTo(URI.create("https://api.example.com/v1"));
    assertThat(petstore.policy().allow()).containsExactly("GET /pets*");
    assertThat(petstore.policy().deny()).containsExactly("DELETE *");
    assertThat(petstore.policy().includeTags()).containsExactly("pets");
    assertThat(petstore.policy().excludeTags()).containsExactly("admin");
    assertThat(petstore.auth())
        .isEqualTo(new UpstreamAuth.LoginBroker(URI.create("https://api.example.com/login")));
    BackendDefinition remote = configuration.backend("remote").orElseThrow();
    assertThat(remote.specLocation()).isEqualTo(URI.create("https://specs.example.com/a.yaml"));
    assertThat(remote.baseUrl()).isNull();
    assertThat(remote.auth()).isInstanceOfSatisfying(UpstreamAuth.OAuth2.class, oauth2 -> {
      assertThat(oauth2.issuer()).isEqualTo(URI.create("https://idp.example.com"));
      assertThat(oauth2.user()).isEqualTo(new UpstreamAuth.UserNaming.IdTokenClaim("sub"));
    });
    assertThat(configuration.mcpUrl(petstore)).isEqualTo(URI.create("https://mcp.example.com/mcp/petstore"));
    assertThat(configuration.sealing().keys()).extracting(k -> k.id()).containsExactly("old", "new");
    assertThat(configuration.sealing().keys().get(1).secret())
        .isEqualTo(java.util.Base64.getDecoder().decode(KEY));
    assertThat(configuration.sealing().current()).isEqualTo("old");
  }

  @Test
  void requiresAValidSealingKeyOnceABackendHasALoginAndNeverShowsIt() {
    assertThat(messages("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml, auth: {type: login-broker, login_url: "https://a/login"}}]
        """)).singleElement().asString().startsWith("required because a backend has 'auth'");

    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml, auth: {type: login-broker, login_url: "https://a/login"}}]
        sealing:
          keys:
            - {id: k1, secret: "${TOKEN}"}
            - {id: k1, secret: c2hvcnQ=}
          current: k9
        """);
    assertThat(problems).extracting(ConfigurationProblem::key)
        .containsExactly("sealing.keys[0].secret", "sealing.keys[1].id", "sealing.keys[1].secret");
    assertThat(problems).allSatisfy(p -> assertThat(p.toString()).doesNotContain(SECRET)
        .doesNotContain("c2hvcnQ="));
  }

  @Test
  void readsLoginBrokerOptions() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: http://localhost:8080
        backends:
          - name: a
            spec_url: a.yaml
            auth:
              type: login-broker
              login_url: https://a.example/session
              request: form
              username_field: user
              password_field: pass
              token_pointer: /data/token
              expires_pointer: /data/ttl
              apply: {header: X-Api-Token}
          - name: b
            spec_url: b.yaml
            auth: {type: login-broker, login_url: "https://b.example/login", cookie: SESSION}
        sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}
        """);

    assertThat(configuration.backend("a").orElseThrow().auth()).isEqualTo(new UpstreamAuth.LoginBroker(
        URI.create("https://a.example/session"), true, "user", "pass", "/data/token", null,
        "/data/ttl", "X-Api-Token", ""));
    UpstreamAuth.LoginBroker b = (UpstreamAuth.LoginBroker) configuration.backend("b").orElseThrow().auth();
    assertThat(b.cookie()).isEqualTo("SESSION");
    assertThat(b.applyHeader()).isNull();
    assertThat(messages("""
        public_url: http://localhost:8080
        backends:
          - {name: a, spec_url: a.yaml, auth: {type: login-broker, login_url: "https://a/l", request: xml}}
          - {name: b, spec_url: b.yaml, auth: {type: login-broker, login_url: "https://b/l", token_pointer: token}}
        sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}
        """)).containsExactly("expected json or form", "expected a JSON Pointer such as /access_token");
  }

  @Test
  void readsPreRegisteredClientsAndRefusesUnsafeOnes() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        clients:
          - {client_id: desktop, redirect_uris: ["http://127.0.0.1/cb"]}
          - {client_id: web, client_name: Web, redirect_uris: ["https://w.example/cb"], secret: "${TOKEN}"}
        """);
    assertThat(configuration.clients()).extracting(c -> c.clientId() + ":" + c.authMethod())
        .containsExactly("desktop:none", "web:client_secret_basic");
    assertThat(configuration.clients().get(1).secret()).isEqualTo(SECRET);
    assertThat(configuration.clients().toString()).doesNotContain(SECRET);

    assertThat(messages("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        clients:
          - {client_id: torii-x, redirect_uris: ["https://w.example/cb"]}
          - {client_id: y, redirect_uris: ["http://evil.example/cb"]}
          - {client_id: z, redirect_uris: ["https://z.example/cb"], secret: short}
        """)).containsExactly(
            "required: 1 to 128 of A-Z a-z 0-9 . _ ~ -, not starting with 'torii-' (reserved for"
                + " dynamic registration)",
            "must be https, or http on a loopback address",
            "at least 16 characters (not shown)");
  }

  @Test
  void readsLimitsAndToolOverrides() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: http://localhost:8080
        limits: {description_length: 300, response_bytes: 65536, schema_depth: 2}
        backends:
          - name: a
            spec_url: a.yaml
            tools:
              getPetById: {name: get_pet}
              "DELETE /pets/{id}": {description: Deletes for good.}
        """);

    assertThat(configuration.limits()).isEqualTo(new dev.toriimcp.configuration.entity.Limits(300, 65536, 2));
    assertThat(configuration.backends().get(0).tools()).containsOnlyKeys("getPetById", "DELETE /pets/{id}");
    assertThat(configuration.backends().get(0).tools().get("getPetById").name()).isEqualTo("get_pet");
  }

  @Test
  void readsTheUpstreamLimits() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: http://localhost:8080
        limits: {upstream_connect_timeout: 2, upstream_timeout: 9, page_size: 7, upstream_concurrency: 12,
                 user_calls_per_minute: 30, user_calls_in_flight: 3}
        backends: [{name: a, spec_url: a.yaml}]
        """);

    assertThat(configuration.limits()).isEqualTo(new dev.toriimcp.configuration.entity.Limits(
        1024, 1_048_576, 4, 2, 9, 7, 12, 30, 3));
    assertThat(messages("""
        public_url: http://localhost:8080
        limits: {upstream_concurrency: 0}
        backends: [{name: a, spec_url: a.yaml}]
        """)).containsExactly("expected a whole number of at least 1, found '0'");
  }

  @Test
  void reportsInvalidLimitsAndToolNames() {
    assertThat(messages("""
        public_url: http://localhost:8080
        limits: {response_bytes: lots}
        backends:
          - name: a
            spec_url: a.yaml
            tools:
              x: {name: "bad name"}
              y: {name: same}
              z: {name: same}
        """)).containsExactly(
            "expected a whole number of at least 1024, found 'lots'",
            "tool names must match ^[A-Za-z0-9_-]{1,64}$, found 'bad name'",
            "tool name 'same' is given to two operations");
  }

  @Test
  void defaultsStorageToEmbeddedDerbyUnderTorIiData() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        """);

    assertThat(configuration.storage().embedded()).isTrue();
    assertThat(configuration.storage().derbyDirectory()).isEqualTo(Path.of("torii-data"));
  }

  @Test
  void sharesADataSourceButNotAnEmbeddedDerbyBetweenNodes() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        storage: {datasource: jdbc/torii, shared: true}
        """);
    assertThat(configuration.storage().shared()).isTrue();
    assertThat(reader.read(FILE, """
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        storage: {datasource: jdbc/torii}
        """).storage().shared()).as("one node unless said").isFalse();

    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        storage:
          shared: true
        """);
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo("storage.shared");
      assertThat(p.line()).isEqualTo(4);
      assertThat(p.message()).isEqualTo("needs storage.datasource: an embedded Derby database"
          + " belongs to one node, so several nodes cannot share it");
    });
    assertThat(messages("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        storage: {datasource: jdbc/torii, shared: yes}
        """)).singleElement().asString().startsWith("unknown value 'yes'");
  }

  @Test
  void reportsAMissingVariableByNameWithFileLineBackendAndKey() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends:
          - name: petstore
            spec_url: ${PETSTORE_SPEC}
        """);

    assertThat(problems).containsExactly(new ConfigurationProblem(FILE.toString(), 4, "petstore",
        "backends[0].spec_url", "unresolved placeholder ${PETSTORE_SPEC}: set the environment"
            + " variable or system property PETSTORE_SPEC, or give a fallback as"
            + " ${PETSTORE_SPEC:-value}"));
    assertThat(problems.get(0).toString()).startsWith(
        "/etc/torii/mcp-proxy.yaml:4: backend 'petstore': key 'backends[0].spec_url': unresolved");
  }

  @Test
  void reportsAMissingJndiEntryByName() {
    assertThat(messages("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: "${jndi:torii/missing}"}]
        """)).singleElement().asString().contains("no JNDI entry 'torii/missing'");
  }

  @Test
  void reportsADuplicateBackendNameAtItsSecondDefinition() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends:
          - name: petstore
            spec_url: a.yaml
          - name: petstore
            spec_url: b.yaml
        """);

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.backend()).isEqualTo("petstore");
      assertThat(p.key()).isEqualTo("backends[1].name");
      assertThat(p.message()).isEqualTo("duplicate backend name (first defined on line 3)");
    });
  }

  @Test
  void reportsAnUnknownKeyWithASuggestion() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends:
          - name: petstore
            spec_url: a.yaml
            baseurl: https://api.example.com
        """);

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.backend()).isEqualTo("petstore");
      assertThat(p.key()).isEqualTo("backends[0].baseurl");
      assertThat(p.message()).startsWith("unknown key; did you mean 'base_url'?");
    });
  }

  @Test
  void readsEachBackendsExposureWithDefaultsForAbsentKeys() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: https://mcp.example.com
        backends:
          - {name: plain, spec_url: a.yaml}
          - {name: big, spec_url: b.yaml, exposure: Dynamic, token_budget: 5_000, descriptions: full}
          - {name: small, spec_url: c.yaml, exposure: all}
        """);

    assertThat(configuration.backend("plain").orElseThrow().exposure()).isEqualTo(Exposure.DEFAULT);
    assertThat(Exposure.DEFAULT).isEqualTo(
        new Exposure(Exposure.Mode.AUTO, 20_000, Exposure.Descriptions.COMPACT));
    assertThat(configuration.backend("big").orElseThrow().exposure()).isEqualTo(
        new Exposure(Exposure.Mode.DYNAMIC, 5_000, Exposure.Descriptions.FULL));
    assertThat(configuration.backend("small").orElseThrow().exposure().mode())
        .isEqualTo(Exposure.Mode.ALL);
  }

  @Test
  void readsHowOftenASpecIsFetchedAgain() {
    GatewayConfiguration configuration = reader.read(FILE, """
        public_url: https://mcp.example.com
        backends:
          - {name: plain, spec_url: a.yaml}
          - {name: often, spec_url: "https://specs.example.com/a.yaml", spec_refresh: 60}
          - {name: never, spec_url: "https://specs.example.com/b.yaml", spec_refresh: 0}
        """);

    assertThat(configuration.backend("plain").orElseThrow().specRefresh())
        .isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(configuration.backend("often").orElseThrow().specRefresh())
        .isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(configuration.backend("never").orElseThrow().specRefresh())
        .isEqualTo(java.time.Duration.ZERO);
    assertThat(problems("""
        public_url: https://mcp.example.com
        backends: [{name: bad, spec_url: a.yaml, spec_refresh: soon}]
        """)).singleElement().satisfies(p -> {
          assertThat(p.backend()).isEqualTo("bad");
          assertThat(p.key()).isEqualTo("backends[0].spec_refresh");
          assertThat(p.message()).isEqualTo("expected a whole number of at least 0, found 'soon'");
        });
  }

  @Test
  void namesTheBackendLineAndAllowedValuesOfABadExposure() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends:
          - name: github
            spec_url: a.yaml
            exposure: dynamik
            token_budget: 10
            descriptions: [short]
        """);

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).satisfies(p -> {
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.backend()).isEqualTo("github");
      assertThat(p.key()).isEqualTo("backends[0].exposure");
      assertThat(p.message()).isEqualTo("unknown value 'dynamik'; did you mean 'dynamic'?"
          + " (allowed here: auto, all, dynamic)");
    });
    assertThat(problems.get(1)).satisfies(p -> {
      assertThat(p.line()).isEqualTo(6);
      assertThat(p.backend()).isEqualTo("github");
      assertThat(p.key()).isEqualTo("backends[0].token_budget");
      assertThat(p.message()).isEqualTo("expected a whole number of at least 100, found '10'");
    });
    assertThat(problems.get(2)).satisfies(p -> {
      assertThat(p.line()).isEqualTo(7);
      assertThat(p.key()).isEqualTo("backends[0].descriptions");
      assertThat(p.message()).isEqualTo("expected a single value, found a list");
    });
  }

  @Test
  void reportsAnUnknownTopLevelKey() {
    assertThat(problems("""
        public_url: http://localhost:8080
        backends: [{name: a, spec_url: a.yaml}]
        logging: verbose
        """)).singleElement().satisfies(p -> {
          assertThat(p.line()).isEqualTo(3);
          assertThat(p.backend()).isNull();
          assertThat(p.key()).isEqualTo("logging");
          assertThat(p.message()).startsWith("unknown key (allowed here: public_url, backends,");
        });
  }

  @Test
  void reportsBrokenYamlWithItsLine() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends:
          - name: petstore
            spec_url: [unclosed
        storage: {}
        """);

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(FILE.toString());
      assertThat(p.line()).isBetween(4, 6);
      assertThat(p.message()).startsWith("invalid YAML: ");
    });
  }

  @Test
  void reportsEveryProblemAtOnceInLineOrder() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080/
        backends:
          - name: Pet_Store
            spec_url: a.yaml
          - name: b
          - name: c
            spec_url: c.yaml
            policy: {allow: ["pets"]}
            auth: {type: basic}
        """);

    assertThat(problems).extracting(ConfigurationProblem::line).containsExactly(1, 3, 5, 8, 9);
    assertThat(problems).extracting(ConfigurationProblem::message).satisfiesExactly(
        m -> assertThat(m).startsWith("must not end with '/'"),
        m -> assertThat(m).startsWith("invalid backend name 'Pet_Store'"),
        m -> assertThat(m).startsWith("required: the OpenAPI/Swagger document"),
        m -> assertThat(m).startsWith("expected \"METHOD /path-glob\""),
        m -> assertThat(m).isEqualTo("required, one of: login-broker, oauth2"));
  }

  @Test
  void reportsWrongTypes() {
    assertThat(messages("""
        public_url: [http://localhost:8080]
        backends: {name: a}
        """)).containsExactly(
            "expected a single value, found a list",
            "expected a list, found a mapping");
  }

  @Test
  void reportsMissingRequiredKeysAndEmptyFiles() {
    assertThat(messages("storage: {}\n")).containsExactly(
        "required: the gateway's external base URL, e.g. https://mcp.example.com",
        "required: a list of backends, each with at least a name and a spec_url");
    assertThat(messages("")).containsExactly("the file is empty");
  }

  @Test
  void neverQuotesAResolvedValueInAProblem() {
    List<ConfigurationProblem> problems = problems("""
        public_url: http://localhost:8080
        backends:
          - name: a
            spec_url: a.yaml
            base_url: ${TOKEN}
            auth: {type: login-broker, login_url: "ftp://${TOKEN}"}
        """);

    assertThat(problems).hasSize(2);
    assertThat(problems).allSatisfy(p -> assertThat(p.toString()).doesNotContain(SECRET));
    assertThat(problems.get(0).message()).contains("'${TOKEN}'");
  }

  @Test
  void reportsADuplicateKeyWithinOneMapping() {
    assertThat(problems("""
        public_url: http://localhost:8080
        public_url: http://localhost:9090
        backends: [{name: a, spec_url: a.yaml}]
        """)).singleElement().satisfies(p -> {
          assertThat(p.line()).isEqualTo(2);
          assertThat(p.message()).isEqualTo("duplicate key (first given on line 1)");
        });
  }

  @Test
  void keepsPlaceholderValuesOutOfTheYamlStructure() {
    // A value with YAML syntax in it stays one scalar: substitution happens after parsing.
    PlaceholderResolver resolver = new PlaceholderResolver(
        Map.of("URL", "http://h/x\nbackends: []")::get, n -> null, n -> Optional.empty());
    List<ConfigurationProblem> problems = catchThrowableOfType(ConfigurationException.class,
        () -> new ConfigurationReader(resolver).read(FILE, """
            public_url: ${URL}
            backends: [{name: a, spec_url: a.yaml}]
            """)).problems();

    assertThat(problems).singleElement().satisfies(p -> assertThat(p.key()).isEqualTo("public_url"));
  }

  private List<ConfigurationProblem> problems(String yaml) {
    ConfigurationException failure =
        catchThrowableOfType(ConfigurationException.class, () -> reader.read(FILE, yaml));
    assertThat(failure).as("expected the configuration to be rejected").isNotNull();
    return failure.problems();
  }

  private List<String> messages(String yaml) {
    return problems(yaml).stream().map(ConfigurationProblem::message).toList();
  }
}
