package com.helloapi.lambda;

import com.helloapi.HelloApi;
import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What no contract case reaches but a servlet container does: after {@code sendError}, or an exception that escapes
 * the filters, the handler renders the application's error page ({@code /error}, ProblemErrorController) through
 * the filters registered for ERROR dispatches, as Tomcat does. A filter of this test provokes both. And TRACE,
 * which an ALB may forward, is refused with 405 as Tomcat refuses it (checked against the container: 405, Allow
 * without TRACE, the problem error page), never echoed.
 */
class LambdaErrorPageIntegrationTest {

    static LambdaHandler handler;

    @BeforeAll
    static void start() {
        LambdaTargets.handler();
        handler = new LambdaHandler(FailingFilterApplication.class);
    }

    @Test
    void sendErrorRendersTheProblemErrorPageWithTheRequestId() {
        Response response = send(Request.of("GET", "/api/users/?fail=send-error").header("X-Request-Id", "err-1"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("X-Request-Id")).isEqualTo("err-1");
        JsonNode problem = JsonMapper.builder().build().readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asString()).isEqualTo("Bad Request.");
    }

    @Test
    void anEscapedExceptionIsA500ProblemWithoutItsInsides() {
        Response response = send(Request.of("GET", "/api/users/?fail=throw"));

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        assertThat(response.body()).contains("A server error occurred.").doesNotContain("IllegalStateException",
                "filter exploded", "at com.");
    }

    @Test
    void traceIsRefusedAsTomcatRefusesItRatherThanEchoed() {
        Response response = LambdaTargets.alb()
            .send(Request.of("TRACE", "/api/users/").header("Authorization", "Bearer do-not-echo"));

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Allow")).contains("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
            .doesNotContain("TRACE");
        assertThat(response.header("X-Request-Id")).isNotBlank();
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).doesNotContain("do-not-echo");
    }

    private static Response send(Request request) {
        return LambdaTargets.readV2(handler.handle(ApiGatewayEvent.parse(LambdaTargets.httpApiEvent(request))));
    }

    /**
     * HelloAPI plus a filter that fails when asked to, after the request-id filter. Not a @Configuration, so that
     * HelloAPI's component scan of com.helloapi does not put the filter into the other tests' contexts.
     */
    @Import(HelloApi.class)
    static class FailingFilterApplication {

        @Bean
        FilterRegistrationBean<Filter> failingFilter() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                String fail = request.getParameter("fail");
                if ("send-error".equals(fail)) {
                    ((HttpServletResponse) response).sendError(400);
                    return;
                }
                if ("throw".equals(fail)) {
                    throw new IllegalStateException("filter exploded");
                }
                chain.doFilter(request, response);
            });
            registration.setOrder(0);
            return registration;
        }
    }
}
