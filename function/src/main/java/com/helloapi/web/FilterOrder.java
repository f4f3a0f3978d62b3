package com.helloapi.web;

import org.springframework.core.Ordered;

/**
 * The order of every servlet filter of both targets, in one place, first to last. Spring Boot's HTTP server
 * observation ({@code ServerHttpObservationFilter}, its own order {@code HIGHEST_PRECEDENCE + 1}) times everything
 * after the request log.
 */
public final class FilterOrder {

    /** First: every answer, a refusal by any later filter included, carries X-Request-Id and is logged. */
    public static final int REQUEST_LOG = Ordered.HIGHEST_PRECEDENCE;

    /** Container only: once shutting down, responses say {@code Connection: close}. */
    public static final int CONNECTION_CLOSE_ON_SHUTDOWN = Ordered.HIGHEST_PRECEDENCE + 2;

    /** A query string that cannot be decoded is refused before any route reads it. */
    public static final int QUERY_STRING = Ordered.HIGHEST_PRECEDENCE + 6;

    /** {@code /api/users/} and {@code /api/users} are one route: re-dispatched without the slash. */
    public static final int TRAILING_SLASH = Ordered.HIGHEST_PRECEDENCE + 10;

    /** Spring Security's chain, after the slash is gone so that it matches the routes as MVC does. */
    public static final int SECURITY = -100;

    private FilterOrder() {
    }
}
