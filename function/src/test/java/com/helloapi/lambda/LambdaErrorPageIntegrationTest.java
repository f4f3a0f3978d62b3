package com.helloapi.lambda;

import java.util.List;

import com.helloapi.HelloApi;
import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import jakarta.servlet.Filter;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What no contract case reaches but a servlet container does, each a defect of the stock handler that LambdaHandler
 * works around (numbered as in docs/lambda-stock-handler-issues.md). After {@code sendError}, or an exception that
 * escapes the filters, the handler renders the application's error page ({@code /error}, ProblemErrorController)
 * through the filters registered for ERROR dispatches, as Tomcat does; a filter of this test provokes both. TRACE is
 * refused with 405 as Tomcat refuses it (checked against the container: 405, Allow without TRACE, the problem error
 * page), never echoed. An undecodable query string is the application's 400 problem. Repeated response headers and
 * cookies reach API Gateway, and HTTPS requests are secure, so they carry HSTS.
 */
class LambdaErrorPageIntegrationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static LambdaHandler handler;

    @BeforeAll
    static void start() {
        LambdaTargets.handler();
        handler = new LambdaHandler(TestFilterApplication.class);
    }

    @Test
    void sendErrorRendersTheProblemErrorPageWithTheRequestId() {
        Response response = send(Request.of("GET", "/api/users/?test=send-error").header("X-Request-Id", "err-1"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("X-Request-Id")).isEqualTo("err-1");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asString()).isEqualTo("Bad Request.");
    }

    @Test
    void anEscapedExceptionIsA500ProblemWithoutItsInsides() {
        Response response = send(Request.of("GET", "/api/users/?test=throw"));

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        assertThat(response.body()).contains("A server error occurred.").doesNotContain("IllegalStateException",
                "filter exploded", "at com.");
    }

    @Test
    void traceIsRefusedAsTomcatRefusesItRatherThanEchoed() {
        Response response = LambdaTargets.httpApi()
            .send(Request.of("TRACE", "/api/users/").header("Authorization", "Bearer do-not-echo"));

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Allow")).contains("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
            .doesNotContain("TRACE");
        assertThat(response.header("X-Request-Id")).isNotBlank();
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).doesNotContain("do-not-echo");
    }

    @Test
    void anUndecodableQueryStringIsTheApplicationsProblemAsOnTomcat() {
        for (String query : List.of("limit=%zz", "q=a%", "%=1")) {
            // URI.create refuses such a query, so it goes into the event as API Gateway passes it: raw.
            ObjectNode event = (ObjectNode) JSON.readTree(LambdaTargets.httpApiEvent(Request.of("GET", "/api/users/")));
            event.put("rawQueryString", query);

            Response response = LambdaTargets
                .readV2(LambdaTargets.invoke(LambdaTargets.handler(), JSON.writeValueAsBytes(event)));

            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(query).startsWith("application/problem+json");
            assertThat(response.header("X-Request-Id")).as(query).isNotBlank();
            assertThat(response.body()).as(query).contains("The query string could not be decoded");
        }
    }

    @Test
    void repeatedResponseHeadersAreJoinedAndCookiesGoToCookies() {
        Response response = send(Request.of("GET", "/api/users/?test=headers"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Vary")).isEqualTo("Origin, Accept-Encoding");
        assertThat(response.headers().get("set-cookie")).hasSize(2)
            .anyMatch(cookie -> cookie.startsWith("a=1"))
            .anyMatch(cookie -> cookie.startsWith("b=2"));
    }

    @Test
    void httpsRequestsAreSecureSoTheyCarryHsts() {
        Response https = LambdaTargets.httpApi().send(Request.of("GET", "/api/users/"));
        Response http = LambdaTargets.httpApi()
            .send(Request.of("GET", "/api/users/").header("X-Forwarded-Proto", "http"));

        assertThat(https.header("Strict-Transport-Security")).startsWith("max-age=");
        assertThat(http.header("Strict-Transport-Security")).isNull();
    }

    private static Response send(Request request) {
        return LambdaTargets.httpApi(handler).send(request);
    }

    /**
     * HelloAPI plus a filter that fails or adds headers when asked to, after the request-id filter. Not a
     * {@code @Configuration}, so that HelloAPI's component scan of com.helloapi does not put the filter into the other
     * tests' contexts.
     */
    @Import(HelloApi.class)
    static class TestFilterApplication {

        @Bean
        FilterRegistrationBean<Filter> testFilter() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                String test = request.getParameter("test");
                HttpServletResponse http = (HttpServletResponse) response;
                if ("send-error".equals(test)) {
                    http.sendError(400);
                    return;
                }
                if ("throw".equals(test)) {
                    throw new IllegalStateException("filter exploded");
                }
                if ("headers".equals(test)) {
                    http.addHeader("Vary", "Origin");
                    http.addHeader("Vary", "Accept-Encoding");
                    http.addCookie(new Cookie("a", "1"));
                    http.addCookie(new Cookie("b", "2"));
                }
                chain.doFilter(request, response);
            });
            registration.setOrder(0);
            return registration;
        }
    }
}
