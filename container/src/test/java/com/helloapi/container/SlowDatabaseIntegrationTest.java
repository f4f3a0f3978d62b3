package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** A statement stuck behind a lock is cancelled at the statement timeout: the request ends, with a 503. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "db.statement-timeout=1s")
class SlowDatabaseIntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void aStuckQueryEndsAtTheStatementTimeout() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        try (Connection blocker = TestDatabase.shared().connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");

            long start = System.nanoTime();
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            blocker.rollback();

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        }
    }
}
