package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Concurrent writers: the database decides, every client gets a definite answer, nothing is lost. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ConcurrencyIntegrationTest {

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void emptyUsers() {
        TestDatabase.shared().emptyUsers();
    }

    HttpRequest request(String method, String path, String json, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .method(method, HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json");
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder.build();
    }

    /** Sends all requests at once and counts the answers by status. */
    Map<Integer, Integer> sendAtOnce(List<HttpRequest> requests) {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        requests.forEach(request -> responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())));
        Map<Integer, Integer> statuses = new TreeMap<>();
        responses.forEach(response -> statuses.merge(response.orTimeout(60, TimeUnit.SECONDS).join().statusCode(), 1,
                Integer::sum));
        return statuses;
    }

    @Test
    void fiftyCreatesOfOneEmailMakeOneUser() throws Exception {
        List<HttpRequest> creates = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String email = i % 2 == 0 ? "race@example.com" : "RACE@example.com";
            creates.add(request("POST", "/api/users/", "{\"name\":\"Racer " + i + "\",\"email\":\"" + email + "\"}"));
        }

        assertThat(sendAtOnce(creates)).containsExactly(Map.entry(201, 1), Map.entry(409, 49));
        try (Connection connection = TestDatabase.shared().connect()) {
            var rows = connection.createStatement().executeQuery("SELECT count(*) FROM users");
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void concurrentConditionalPatchesHaveOneWinnerPerVersion() throws Exception {
        client.send(request("POST", "/api/users/", "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}"),
                HttpResponse.BodyHandlers.ofString());

        for (int version = 1; version <= 3; version++) {
            List<HttpRequest> patches = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                patches.add(request("PATCH", "/api/users/1/", "{\"name\":\"Writer " + version + "-" + i + "\"}",
                        "If-Match", "\"" + version + "\""));
            }

            assertThat(sendAtOnce(patches)).as("version " + version)
                .containsExactly(Map.entry(200, 1), Map.entry(412, 19));
        }
        HttpResponse<String> user = client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/1/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(user.headers().firstValue("ETag")).hasValue("\"4\"");
        assertThat(user.body()).contains("Writer 3-");
    }
}
