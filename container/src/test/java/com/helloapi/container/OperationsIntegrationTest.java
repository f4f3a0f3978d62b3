package com.helloapi.container;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import com.helloapi.HelloApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.ConfigurableEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What operators rely on: health probes, the OpenAPI description, request logs. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class OperationsIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    ConfigurableEnvironment environment;

    final HttpClient client = HttpClient.newHttpClient();

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessAndReadinessAreUpWithTheDatabase() throws Exception {
        HttpResponse<String> liveness = get("/actuator/health/liveness");
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"status\":\"UP\"");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void onlyHealthIsExposed() throws Exception {
        assertThat(get("/actuator/env").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/beans").statusCode()).isEqualTo(404);
    }

    @Test
    void responsesDoNotNameTheServer() throws Exception {
        HttpResponse<String> response = get("/api/users/");

        assertThat(response.headers().firstValue("Server")).isEmpty();
        assertThat(get("/api/users/").headers().firstValue("X-Powered-By")).isEmpty();
    }

    @Test
    void logsOneLinePerRequestWithItsIdButNoQueryString(CapturedOutput output) throws Exception {
        get("/api/users/?email=secret.person@example.com", "X-Request-Id", "trace-me-42");

        // The line is written once the response has gone out, so the client may see the response first.
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(output.getOut()).containsPattern("\"request_id\":\"trace-me-42\"")
                .contains("\"method\":\"GET\"", "\"route\":\"/api/users\"", "\"status\":200",
                        "\"duration_ms\":")
                .doesNotContain("secret.person"));
    }

    @Test
    void writesLogLinesInSpringBootsLogstashLayoutUnlessLogFormatSaysOtherwise() {
        Object console = environment.getPropertySources().stream()
            .filter(source -> source.getName().contains("config/application.yaml"))
            .map(source -> source.getProperty("logging.structured.format.console"))
            .filter(Objects::nonNull)
            .findFirst()
            .orElseThrow();

        assertThat(console).hasToString("${LOG_FORMAT:logstash}");
    }

    @Test
    void givesARequestWithoutASensibleIdANewRandomUuid() throws Exception {
        Set<UUID> ids = new HashSet<>();
        for (String[] headers : new String[][] { {}, {}, { "X-Request-Id", "two words" } }) {
            String id = get("/api/users/?limit=1", headers).headers().firstValue("X-Request-Id").orElseThrow();
            UUID uuid = UUID.fromString(id);

            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            ids.add(uuid);
        }
        assertThat(ids).hasSize(3);
    }
}
