package com.helloapi.security;

import java.net.http.HttpResponse;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;

import static com.helloapi.security.Api.problem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default configuration (no AUTH_ISSUER_URI, no CORS_ALLOWED_ORIGINS): no authentication and no CORS, as
 * before, but security headers on every response. The same context as the contract suite.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class SecurityDefaultsIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    Api api;

    @BeforeEach
    void emptyUsers() {
        api = new Api(port);
        TestDatabase.shared().emptyUsers();
    }

    static void assertSecurityHeaders(HttpResponse<String> response) {
        assertThat(response.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
        assertThat(response.headers().allValues("X-Frame-Options")).containsExactly("DENY");
        assertThat(response.headers().allValues("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(response.headers().firstValue("Server")).isEmpty();
    }

    @Test
    void securityHeadersAreOnUserData() {
        api.post(null);
        HttpResponse<String> response = api.get("/api/users/1/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertSecurityHeaders(response);
        assertThat(response.headers().allValues("Cache-Control")).containsExactly("no-store");
        assertThat(response.headers().firstValue("Pragma")).isEmpty();
        assertThat(response.headers().firstValue("Expires")).isEmpty();
    }

    @Test
    void securityHeadersAreOnProblems() {
        HttpResponse<String> response = api.get("/api/users/404/");

        problem(response, 404);
        assertSecurityHeaders(response);
    }

    @Test
    void securityHeadersAreOnHealth() {
        HttpResponse<String> response = api.get("/actuator/health/readiness");

        assertThat(response.statusCode()).isEqualTo(200);
        assertSecurityHeaders(response);
    }

    @Test
    void writesNeedNoTokenAndIgnoreOne() {
        assertThat(api.post(null).statusCode()).isEqualTo(201);
        assertThat(api.send("DELETE", "/api/users/1/", null, "Authorization", "Bearer not-a-jwt").statusCode())
            .isEqualTo(204);
    }

    @Test
    void noCorsHeadersForAnyOrigin() {
        HttpResponse<String> preflight = api.send("OPTIONS", "/api/users/", null, "Origin", "https://app.example.com",
                "Access-Control-Request-Method", "POST");
        HttpResponse<String> read = api.get("/api/users/", "Origin", "https://app.example.com");

        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void hasNoUserStoreSoNoGeneratedPassword() {
        assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
    }
}
