package com.helloapi.container;

import java.util.List;
import java.util.Map;

import com.helloapi.container.OpenApiConformance.Exchange;
import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check ContainerContractIntegrationTest applies to every exchange finds what differs from the description. */
class OpenApiConformanceUnitTest {

    static final OpenApiConformance DESCRIPTION = OpenApiConformance.load();

    static final String USER = """
            {"id":1,"name":"Ada","email":"ada@example.com","created_at":"2026-01-02T03:04:05.123456Z",\
            "updated_at":"2026-01-02T03:04:05.123456Z"}""";

    static final String NOT_FOUND = """
            {"type":"about:blank","title":"Not Found","status":404,"detail":"No user matches the given query.",\
            "instance":"/api/users/2/"}""";

    static Response json(int status, String body) {
        return new Response(status, Map.of("Content-Type", List.of("application/json")), body);
    }

    static Response problem(int status, String body, String... allow) {
        return new Response(status, allow.length == 0 ? Map.of("Content-Type", List.of("application/problem+json"))
                : Map.of("Content-Type", List.of("application/problem+json"), "Allow", List.of(allow)), body);
    }

    static List<String> violations(String method, String path, Response response) {
        return DESCRIPTION.violations(Request.of(method, path), response);
    }

    @Test
    void acceptsWhatTheDescriptionDeclares() {
        assertThat(violations("GET", "/api/users/1/", json(200, USER))).isEmpty();
        assertThat(violations("GET", "/api/users/1", json(200, USER))).as("without the trailing slash").isEmpty();
        assertThat(violations("GET", "/api/users/?limit=1", json(200, """
                {"next":"http://localhost:8000/api/users/?limit=1&cursor=bjE.x","previous":null,"results":[%s]}"""
            .formatted(USER)))).isEmpty();
        assertThat(violations("GET", "/api/users/abc/", problem(404, NOT_FOUND))).isEmpty();
        assertThat(violations("DELETE", "/api/users/1/", new Response(204, Map.of(), ""))).isEmpty();
        assertThat(violations("HEAD", "/api/users/1/",
                new Response(200, Map.of("Content-Type", List.of("application/json")), ""))).as("HEAD as GET")
            .isEmpty();
    }

    @Test
    void findsABodyThatDoesNotMatchItsSchema() {
        assertThat(violations("GET", "/api/users/1/", json(200, USER.replace("\"email\"", "\"mail\""))))
            .singleElement()
            .asString()
            .contains("#/paths/~1api~1users~1{id}~1/get/responses/200/content/application~1json/schema")
            .contains("email");
        assertThat(violations("GET", "/api/users/1/", json(200, USER.replace("\"id\":1", "\"id\":\"1\""))))
            .singleElement()
            .asString()
            .contains("/id");
    }

    @Test
    void assertsFormats() {
        assertThat(violations("GET", "/api/users/1/", json(200, USER.replace("2026-01-02T03:04:05.123456Z\"}",
                "yesterday\"}"))))
            .singleElement()
            .asString()
            .contains("/updated_at");
        assertThat(violations("GET", "/api/users/1/", json(200, USER.replace("ada@example.com", "ada"))))
            .singleElement()
            .asString()
            .contains("/email");
        assertThat(violations("GET", "/api/users/1/",
                json(200, USER.replace("ada@example.com", "ada@bücher.example"))))
            .as("an international domain, reserved for examples")
            .isEmpty();
    }

    @Test
    void findsAStatusThatIsNotDeclared() {
        assertThat(violations("GET", "/api/users/1/", problem(418, NOT_FOUND.replace("404", "418"))))
            .singleElement()
            .asString()
            .startsWith("status 418 is not declared");
    }

    @Test
    void findsAContentTypeThatIsNotDeclared() {
        Response html = new Response(404, Map.of("Content-Type", List.of("text/html;charset=UTF-8")), "<h1>404</h1>");

        assertThat(violations("GET", "/api/users/2/", html)).singleElement()
            .asString()
            .contains("Content-Type text/html is not declared");
    }

    @Test
    void findsAMissingBody() {
        assertThat(violations("GET", "/api/users/1/", new Response(200, Map.of(), ""))).singleElement()
            .asString()
            .startsWith("no body");
    }

    @Test
    void problemsMatchTheProblemSchema() {
        assertThat(violations("GET", "/api/users/2/", problem(404, NOT_FOUND.replace("\"detail\"", "\"details\""))))
            .isNotEmpty()
            .allSatisfy(violation -> assertThat(violation).contains("detail"));
    }

    @Test
    void requestsWithoutAnOperationAreProblems() {
        String notAllowed = """
                {"type":"about:blank","title":"Method Not Allowed","status":405,\
                "detail":"Method 'POST' is not supported.","instance":"/api/users/1/"}""";

        assertThat(violations("POST", "/api/users/1/", problem(405, notAllowed, "GET, HEAD, PUT"))).isEmpty();
        assertThat(violations("POST", "/api/users/1/", problem(405, notAllowed)))
            .containsExactly("a 405 without Allow");
        assertThat(violations("GET", "/api/users/1/extra/", problem(404, NOT_FOUND))).isEmpty();
        assertThat(violations("GET", "/api/nothing/", json(200, "{}"))).hasSize(2)
            .first()
            .asString()
            .contains("no path of the description matches /api/nothing/");
    }

    @Test
    void failsNamingTheRequestStatusAndErrors() {
        Exchange drifted = new Exchange(Request.of("PATCH", "/api/users/1/"), json(200, "{}"));

        assertThatThrownBy(() -> DESCRIPTION.assertConforms(List.of(drifted))).isInstanceOf(AssertionError.class)
            .hasMessageContaining("1 of 1 responses differ from openapi/users-api.yaml")
            .hasMessageContaining("PATCH /api/users/1/ {} -> 200 application/json {}")
            .hasMessageContaining("required property 'id' not found");
    }
}
