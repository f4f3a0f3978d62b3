package com.helloapi.web;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * RFC 9457 problem responses for Spring MVC's own failures (404 for unknown routes, 405 with Allow, 406, 415, ...),
 * for requests the filters of this package refuse (a malformed query string), for a
 * database that cannot be reached (503 with Retry-After) and for anything unexpected (500, logged here with its
 * stack trace, answered without one).
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class Problems extends ResponseEntityExceptionHandler {

    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private static final Log log = LogFactory.getLog(Problems.class);

    @ExceptionHandler({ DataAccessResourceFailureException.class, TransientDataAccessException.class,
            QueryTimeoutException.class, CannotCreateTransactionException.class })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception ex) {
        log.warn("Database unavailable: " + ex.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
            .header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER.toSeconds()))
            .body(ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                    "The database is unavailable; retry shortly."));
    }

    @ExceptionHandler
    ProblemDetail malformedQuery(QueryStringFilter.MalformedQueryException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(Exception ex) {
        log.error("Unexpected failure", ex);
        return ResponseEntity.internalServerError()
            .body(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "A server error occurred."));
    }

    /** Allow lists HEAD and OPTIONS too: Spring answers both wherever GET is mapped. */
    @Override
    protected @Nullable ResponseEntity<Object> handleHttpRequestMethodNotSupported(
            HttpRequestMethodNotSupportedException ex, HttpHeaders headers, HttpStatusCode status,
            WebRequest request) {
        Set<HttpMethod> allowed = new LinkedHashSet<>(ex.getSupportedHttpMethods() == null ? Set.of()
                : ex.getSupportedHttpMethods());
        if (allowed.contains(HttpMethod.GET)) {
            allowed.add(HttpMethod.HEAD);
        }
        allowed.add(HttpMethod.OPTIONS);
        HttpHeaders allow = new HttpHeaders();
        allow.setAllow(allowed);
        return handleExceptionInternal(ex, null, allow, status, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // Spring's own detail names Java types; say what matters to the client instead.
        return handleExceptionInternal(ex,
                ProblemDetail.forStatusAndDetail(status, "The request body could not be read."), headers, status,
                request);
    }
}
