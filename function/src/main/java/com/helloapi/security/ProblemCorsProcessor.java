package com.helloapi.security;

import java.io.IOException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.cors.DefaultCorsProcessor;

/** Spring's CORS checks, with a refused origin answered as a 403 problem rather than a plain-text body. */
final class ProblemCorsProcessor extends DefaultCorsProcessor {

    private final SecurityProblems problems;

    ProblemCorsProcessor(SecurityProblems problems) {
        this.problems = problems;
    }

    @Override
    protected void rejectRequest(ServerHttpResponse response) throws IOException {
        if (response instanceof ServletServerHttpResponse servlet) {
            // The Vary headers Spring has collected so far are only written with its own body; keep them.
            response.getHeaders().getOrEmpty(HttpHeaders.VARY)
                .forEach(vary -> servlet.getServletResponse().addHeader(HttpHeaders.VARY, vary));
            problems.originNotAllowed(servlet.getServletResponse());
        }
        else {
            super.rejectRequest(response);
        }
    }
}
