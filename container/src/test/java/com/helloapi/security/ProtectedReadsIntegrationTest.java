package com.helloapi.security;

import java.net.http.HttpResponse;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.helloapi.security.Api.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;

/** With AUTH_PROTECT_READS=true, reads need a token too; health and the API description stay public. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ProtectedReadsIntegrationTest {

    @DynamicPropertySource
    static void authentication(DynamicPropertyRegistry registry) {
        registry.add("AUTH_ISSUER_URI", () -> TestIssuer.shared().uri());
        registry.add("AUTH_PROTECT_READS", () -> "true");
    }

    @LocalServerPort
    int port;

    Api api;

    final TestIssuer issuer = TestIssuer.shared();

    @BeforeEach
    void emptyUsers() {
        api = new Api(port);
        TestDatabase.shared().emptyUsers();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/users/", "/api/users", "/api/users/1/", "/api/users/?limit=1" })
    void readsWithoutATokenAre401(String path) {
        unauthorized(api.get(path));
    }

    @Test
    void headWithoutATokenIs401() {
        assertThat(api.send("HEAD", "/api/users/", null).statusCode()).isEqualTo(401);
    }

    @Test
    void readsWithAValidTokenSucceed() {
        String token = issuer.token();
        assertThat(api.post(token).statusCode()).isEqualTo(201);

        HttpResponse<String> list = api.get("/api/users/", "Authorization", "Bearer " + token);
        HttpResponse<String> user = api.get("/api/users/1/", "Authorization", "Bearer " + token);

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(user.statusCode()).isEqualTo(200);
        assertThat(user.headers().allValues("Cache-Control")).containsExactly("no-store");
    }

    @Test
    void readsWithAnInvalidTokenAre401() {
        unauthorized(api.get("/api/users/", "Authorization", "Bearer " + issuer.tokenSignedByAStranger()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/actuator/health/readiness", "/v3/api-docs" })
    void healthAndTheApiDescriptionStayPublic(String path) {
        assertThat(api.get(path).statusCode()).isEqualTo(200);
    }

    @Test
    void noAudienceIsRequiredUnlessConfigured() {
        assertThat(api.post(issuer.token(issuer.claims().audience("any-client"))).statusCode()).isEqualTo(201);
    }
}
