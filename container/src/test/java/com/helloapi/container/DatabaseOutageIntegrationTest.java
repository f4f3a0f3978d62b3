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
 * PostgreSQL away for 60 s, as long as a Multi-AZ failover can take: the target group's health check
 * ({@code /actuator/health/readiness}) stays 200 throughout, so ECS replaces no task; every request that needs the
 * database fails within 2 s with 503 and Retry-After; once the database is back the API serves again within 5 s,
 * without a restart.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class DatabaseOutageIntegrationTest {

    static final Duration OUTAGE = Duration.ofSeconds(60);

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void staysHealthyAndFailsFastWhileTheDatabaseIsAwayThenRecoversWithoutARestart() throws Exception {
        TestDatabase database = TestDatabase.shared();
        assumeTrue(database.isEmbedded(), "needs the embedded PostgreSQL, which the test can stop");
        assertThat(get("/api/users/").statusCode()).isEqualTo(200);

        database.stopEmbedded();
        int checks = 0;
        try {
            long end = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < end) {
                assertThat(get("/actuator/health/readiness").statusCode()).as("health check while away").isEqualTo(200);
                assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);

                long start = System.nanoTime();
                HttpResponse<String> response = get("/api/users/1/");
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(response.body()).doesNotContainIgnoringCase("exception").doesNotContainIgnoringCase("sql");
                assertThat(took).as("fail fast, not Hikari's default 30 s").isLessThan(Duration.ofSeconds(2));
                checks++;
                Thread.sleep(1000);
            }
        }
        finally {
            database.restartEmbedded();
        }
        assertThat(checks).isGreaterThan(10);

        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> assertThat(get("/api/users/").statusCode()).isEqualTo(200));
        assertThat(Duration.ofNanos(System.nanoTime() - back)).as("serving again").isLessThan(Duration.ofSeconds(5));
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }
}
