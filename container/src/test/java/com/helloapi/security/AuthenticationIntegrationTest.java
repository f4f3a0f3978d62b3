package com.helloapi.security;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static com.helloapi.security.Api.problem;
import static com.helloapi.security.Api.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With AUTH_ISSUER_URI set, writes need a bearer JWT signed by the issuer, for the configured audience and not
 * expired; everything else stays public, and every refusal is a problem response.
 */
class AuthenticationIntegrationTest extends WithAuthentication {

    @Nested
    class Writes {

        @Test
        void withoutATokenAre401ProblemsWithABearerChallenge() {
            HttpResponse<String> response = api.send("POST", "/api/users/", Api.USER, "X-Request-Id", "no-token-1");

            unauthorized(response);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).doesNotContain("error=")
                .contains("resource_metadata=\"http://localhost:" + port + "/.well-known/oauth-protected-resource\"");
            assertThat(response.headers().firstValue("X-Request-Id")).hasValue("no-token-1");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }

        @ParameterizedTest
        @CsvSource({ "PUT, /api/users/1/", "PATCH, /api/users/1", "DELETE, /api/users/1/", "POST, /api/users" })
        void ofEveryKindNeedAToken(String method, String path) {
            unauthorized(api.send(method, path, method.equals("DELETE") ? null : Api.USER));
        }

        @Test
        void withAValidTokenSucceed() {
            String token = issuer.token();

            HttpResponse<String> created = api.post(token);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(created.headers().firstValue("Location")).hasValue("/api/users/1/");

            HttpResponse<String> patched = api.send("PATCH", "/api/users/1/", "{\"name\":\"Ada L\"}",
                    "Authorization", "Bearer " + token);
            assertThat(patched.statusCode()).isEqualTo(200);
            assertThat(api.send("DELETE", "/api/users/1/", null, "Authorization", "Bearer " + token).statusCode())
                .isEqualTo(204);
        }

        @Test
        void withAnExpiredTokenAre401() {
            Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
            String expired = issuer.token(issuer.claims()
                .issueTime(Date.from(hourAgo))
                .expirationTime(Date.from(hourAgo.plus(Duration.ofMinutes(5)))));

            HttpResponse<String> response = api.post(expired);

            unauthorized(response);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"invalid_token\"");
        }

        @Test
        void withATokenOfAnotherIssuerAre401() {
            unauthorized(api.post(issuer.token(issuer.claims().issuer("https://cognito-idp.example/other-pool"))));
        }

        @Test
        void withATokenNotSignedByTheIssuerAre401() {
            unauthorized(api.post(issuer.tokenSignedByAStranger()));
        }

        @Test
        void withATokenForAnotherAudienceAre401() {
            unauthorized(api.post(issuer.token(issuer.claims().audience("some-other-api"))));
            unauthorized(api.post(issuer.token(issuer.claims().audience((String) null))));
        }

        @ParameterizedTest
        @ValueSource(strings = { "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." })
        void withGarbageForATokenAre401(String token) {
            unauthorized(api.post(token));
        }

        @Test
        void refusedCreateNothing() {
            api.post(null);
            api.post(issuer.tokenSignedByAStranger());

            assertThat(api.get("/api/users/").body()).contains("\"results\":[]");
        }
    }

    @Nested
    class Reads {

        @Test
        void arePublic() {
            api.post(issuer.token());

            assertThat(api.get("/api/users/").statusCode()).isEqualTo(200);
            assertThat(api.get("/api/users/1/").statusCode()).isEqualTo(200);
            assertThat(api.send("HEAD", "/api/users/1/", null).statusCode()).isEqualTo(200);
        }

        @Test
        void ignoreTokensTheyDoNotNeed() {
            assertThat(api.get("/api/users/", "Authorization", "Bearer not-a-jwt").statusCode()).isEqualTo(200);
        }

        @Test
        void stillAnswerMissingUsersAs404Problems() {
            problem(api.get("/api/users/7/"), 404);
        }
    }

    @Nested
    class PublicEndpoints {

        @ParameterizedTest
        @ValueSource(strings = { "/actuator/health/liveness", "/actuator/health/readiness", "/v3/api-docs",
                "/swagger-ui/index.html" })
        void needNoToken(String path) {
            assertThat(api.get(path).statusCode()).isEqualTo(200);
        }

        @Test
        void describeTheProtectedResourceAndItsIssuer() {
            HttpResponse<String> response = api.get("/.well-known/oauth-protected-resource");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"authorization_servers\":[\"" + issuer.uri() + "\"]");
        }

        @Test
        void ignoreTokens() {
            assertThat(api.get("/actuator/health/readiness", "Authorization", "Bearer expired-or-not").statusCode())
                .isEqualTo(200);
        }
    }
}
