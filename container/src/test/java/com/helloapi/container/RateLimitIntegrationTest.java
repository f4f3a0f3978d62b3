package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.helloapi.HelloApi;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With RATE_LIMIT_PER_SECOND=1 and RATE_LIMIT_BURST=3: a client gets its burst, then 429 problems with Retry-After;
 * other clients are unaffected. Clients are told apart by the X-Forwarded-For entry the proxy on loopback appended.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "helloapi.rate-limit.per-second=1", "helloapi.rate-limit.burst=3" })
class RateLimitIntegrationTest {

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(String forwardedFor) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/"))
            .header("X-Forwarded-For", forwardedFor)
            .timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Six requests in a row: at 1 per second after a burst of 3, some of the last three are refused. */
    List<HttpResponse<String>> sixFrom(String forwardedFor) throws Exception {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(get(forwardedFor));
        }
        return responses;
    }

    @Test
    void answers429WithRetryAfterPastTheBurst() throws Exception {
        List<HttpResponse<String>> responses = sixFrom("203.0.113.10");

        assertThat(responses.subList(0, 3)).allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(200));
        HttpResponse<String> refused = responses.stream()
            .filter(response -> response.statusCode() == 429)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no 429 after the burst"));
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JsonMapper.builder().build().readTree(refused.body());
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("title").asString()).isEqualTo("Too Many Requests");
        assertThat(problem.get("type").asString()).isEqualTo("about:blank");
        assertThat(problem.get("detail").asString()).contains("retry after 1 s");
    }

    @Test
    void anotherClientIsUnaffected() throws Exception {
        assertThat(sixFrom("203.0.113.20")).extracting(HttpResponse::statusCode).contains(429);

        assertThat(get("203.0.113.21").statusCode()).isEqualTo(200);
    }

    @Test
    void entriesTheClientWroteItselfDoNotMakeItAnotherClient() throws Exception {
        assertThat(sixFrom("203.0.113.30")).extracting(HttpResponse::statusCode).contains(429);

        assertThat(get("198.51.100.1, 203.0.113.30").statusCode()).isEqualTo(429);
    }

    @Test
    void healthProbesFromTheLoadBalancerAreCountedApart() throws Exception {
        sixFrom("203.0.113.40");

        HttpResponse<String> readiness = client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
    }
}
