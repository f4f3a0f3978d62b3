package com.helloapi.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * A query string that cannot be decoded (malformed percent-encoding, bytes that are not UTF-8, too many parameters)
 * is answered 400 before any route reads it. Servlet 6.1 containers throw {@link IllegalStateException} from
 * {@code getParameter} for it, which would otherwise surface in a route as a server error.
 */
@Component
@Order(FilterOrder.QUERY_STRING)
class QueryStringFilter extends OncePerRequestFilter {

    private final ObjectProvider<HandlerExceptionResolver> problems;

    QueryStringFilter(@Qualifier("handlerExceptionResolver") ObjectProvider<HandlerExceptionResolver> problems) {
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getQueryString() == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            request.getParameterMap();
        }
        catch (IllegalStateException ex) {
            problems.getObject().resolveException(request, response, null, new MalformedQueryException());
            return;
        }
        chain.doFilter(request, response);
    }

    /** The query string cannot be decoded into parameters. */
    static class MalformedQueryException extends RuntimeException {

        MalformedQueryException() {
            super("The query string could not be decoded: it has malformed percent-encoding, is not UTF-8 or has "
                    + "too many parameters.");
        }
    }
}
