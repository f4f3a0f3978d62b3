package com.helloapi.security;

import java.net.http.HttpResponse;

import com.helloapi.HelloApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.helloapi.security.Api.problem;
import static com.helloapi.security.Api.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An issuer that cannot be reached does not stop the start (discovery waits for the first token), leaves the
 * public routes working, and turns writes with a token into 503 problems to retry rather than 401s or 500s.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class UnreachableIssuerIntegrationTest {

    @DynamicPropertySource
    static void authentication(DynamicPropertyRegistry registry) {
        registry.add("AUTH_ISSUER_URI", TestIssuer::unreachableUri);
    }

    @LocalServerPort
    int port;

    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    @Test
    void startsAndIsReady() {
        assertThat(api.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(api.get("/api/users/").statusCode()).isEqualTo(200);
    }

    @Test
    void writesWithATokenAre503ProblemsWithRetryAfter() {
        HttpResponse<String> response = api.post(TestIssuer.shared().token());

        problem(response, 503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    }

    @Test
    void writesWithoutATokenAreStill401() {
        unauthorized(api.post(null));
    }
}
