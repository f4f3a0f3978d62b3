package com.helloapi.security;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import static com.helloapi.security.Api.problem;
import static com.helloapi.security.Api.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browsers on the origins in CORS_ALLOWED_ORIGINS may call the API, preflight included, with authentication on;
 * other origins are refused with a problem and get no CORS headers.
 */
class CorsIntegrationTest extends WithAuthentication {

    static final String OTHER_ORIGIN = "https://evil.example.net";

    HttpResponse<String> preflight(String origin, String method, String headers) {
        return api.send("OPTIONS", "/api/users/", null, "Origin", origin, "Access-Control-Request-Method", method,
                "Access-Control-Request-Headers", headers);
    }

    @Test
    void preflightFromAnAllowedOriginNeedsNoToken() {
        HttpResponse<String> response = preflight(ALLOWED_ORIGIN, "POST", "authorization, content-type, if-match");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
            .contains("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().toLowerCase())
            .contains("authorization", "content-type", "if-match");
        assertThat(response.headers().firstValue("Access-Control-Max-Age")).hasValue("3600");
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void preflightAllowsEveryDocumentedRequestHeader() {
        HttpResponse<String> response = preflight("http://localhost:3000", "PATCH",
                "Content-Type, Authorization, If-Match, If-None-Match, X-Request-Id");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
    }

    @Test
    void requestsFromAnAllowedOriginExposeTheApiHeaders() {
        HttpResponse<String> created = api.send("POST", "/api/users/", Api.USER, "Origin", ALLOWED_ORIGIN,
                "Authorization", "Bearer " + issuer.token());

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
        assertThat(created.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
            .contains("ETag", "Location", "X-Request-Id", "X-Trace-Id");

        HttpResponse<String> read = api.get("/api/users/1/", "Origin", ALLOWED_ORIGIN);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
    }

    @Test
    void refusalsCarryCorsHeadersSoTheBrowserCanReadTheProblem() {
        HttpResponse<String> response = api.send("POST", "/api/users/", Api.USER, "Origin", ALLOWED_ORIGIN);

        unauthorized(response);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ALLOWED_ORIGIN);
    }

    @Test
    void otherOriginsAreRefusedWithoutCorsHeaders() {
        HttpResponse<String> preflight = preflight(OTHER_ORIGIN, "POST", "authorization");
        HttpResponse<String> read = api.get("/api/users/", "Origin", OTHER_ORIGIN);

        for (HttpResponse<String> response : java.util.List.of(preflight, read)) {
            problem(response, 403);
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void disallowedMethodsAndHeadersAreRefusedInPreflight() {
        assertThat(preflight(ALLOWED_ORIGIN, "TRACE", "content-type").statusCode()).isEqualTo(403);
        assertThat(preflight(ALLOWED_ORIGIN, "POST", "x-custom-header").statusCode()).isEqualTo(403);
    }
}
