package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With PostgreSQL stopped, requests fail fast with 503 and Retry-After, readiness goes DOWN while liveness stays UP
 * (so ECS does not kill healthy tasks), and the API recovers by itself when the database is back.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class DatabaseOutageIntegrationTest {

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void failsFastWhileTheDatabaseIsDownAndRecoversWithoutARestart() throws Exception {
        TestDatabase database = TestDatabase.shared();
        assumeTrue(database.isEmbedded(), "needs the embedded PostgreSQL, which the test can stop");
        assertThat(get("/api/users/").statusCode()).isEqualTo(200);

        database.stopEmbedded();
        try {
            long start = System.nanoTime();
            HttpResponse<String> response = get("/api/users/1/");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(response.body()).doesNotContainIgnoringCase("exception").doesNotContainIgnoringCase("sql");
            assertThat(took).as("fail fast, not Hikari's default 30 s").isLessThan(Duration.ofSeconds(10));
            assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(503);
            assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        }
        finally {
            database.restartEmbedded();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(get("/api/users/").statusCode()).isEqualTo(200);
            assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        });
    }
}
