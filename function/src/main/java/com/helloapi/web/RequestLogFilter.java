package com.helloapi.web;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.LoggingEventBuilder;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Gives every request an id (the client's X-Request-Id when it sent a sensible one, a new UUID otherwise), echoes it
 * on the response, keeps it in the logging context as {@code request_id}, and logs one line per request with
 * {@code method}, {@code route} (the matched pattern, never the query string, which may hold an e-mail address),
 * {@code status} and {@code duration_ms}: the fields the CloudWatch dashboard queries; and {@code trace_id} when the
 * request was traced ({@link TraceIdHeader}).
 */
@Component
@Order(FilterOrder.REQUEST_LOG)
class RequestLogFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Request-Id";

    static final String MDC_KEY = "request_id";

    private static final Logger log = LoggerFactory.getLogger(RequestLogFilter.class);

    /** Printable ASCII without spaces, as load balancers and tracing systems produce; nothing to forge log lines. */
    private static final Pattern SENSIBLE = Pattern.compile("[!-~]{1,128}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getAttribute(MDC_KEY) instanceof String id) {
            // The container's error page for a request already seen: the same id again, not a second log line.
            response.setHeader(HEADER, id);
            chain.doFilter(request, response);
            return;
        }
        long start = System.nanoTime();
        String given = request.getHeader(HEADER);
        // UUID.randomUUID(), not the cheaper ThreadLocalRandom: SnapStart restores many environments from one
        // snapshot, and its seeds are in it.
        String id = given != null && SENSIBLE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.setAttribute(MDC_KEY, id);
        response.setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        }
        finally {
            if (log.isInfoEnabled()) {
                Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
                String route = pattern == null ? "unmatched" : pattern.toString();
                long durationMs = (System.nanoTime() - start) / 1_000_000;
                LoggingEventBuilder line = log.atInfo()
                    .addKeyValue("method", request.getMethod())
                    .addKeyValue("route", route)
                    .addKeyValue("status", response.getStatus())
                    .addKeyValue("duration_ms", durationMs);
                String traceId = response.getHeader(TraceIdHeader.HEADER);
                if (traceId != null) {
                    line = line.addKeyValue("trace_id", traceId);
                }
                line.log("{} {} {} {} ms", request.getMethod(), route, response.getStatus(), durationMs);
            }
            MDC.remove(MDC_KEY);
        }
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }
}
