package com.helloapi.security;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * RFC 9457 problem responses for the requests the security filters turn away, like every other error of the API:
 * 401 (and 400 for a malformed token request) with Spring's RFC 6750 {@code WWW-Authenticate: Bearer ...} header,
 * 403, and 503 with {@code Retry-After} when the issuer cannot be reached to check a token. The headers already on
 * the response (X-Request-Id, CORS, security headers) stay.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler, AuthenticationFailureHandler {

    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private static final Log log = LogFactory.getLog(SecurityProblems.class);

    private final BearerTokenAuthenticationEntryPoint bearerChallenge = new BearerTokenAuthenticationEntryPoint();

    private final BearerTokenAccessDeniedHandler bearerDenial = new BearerTokenAccessDeniedHandler();

    private final JsonMapper json;

    SecurityProblems(JsonMapper json) {
        this.json = json;
    }

    /** No token, or one that was refused. */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
            throws IOException {
        bearerChallenge.commence(request, response, ex);
        String detail;
        if (!(ex instanceof OAuth2AuthenticationException oauth)) {
            detail = "This request needs a bearer token (Authorization: Bearer ...).";
        }
        else if (OAuth2ErrorCodes.INVALID_TOKEN.equals(oauth.getError().getErrorCode())) {
            detail = "The bearer token is not valid: malformed, expired, or not issued for this API.";
        }
        else {
            detail = "The request's bearer token could not be read.";
        }
        write(request, response, HttpStatus.valueOf(response.getStatus()), detail);
    }

    /** A token that was accepted but does not allow this request. */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
            throws IOException {
        bearerDenial.handle(request, response, ex);
        write(request, response, HttpStatus.FORBIDDEN, "This request is not allowed.");
    }

    /** A token could not be checked (the issuer is unreachable), or was refused. */
    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException ex) throws IOException {
        if (ex instanceof AuthenticationServiceException) {
            log.warn("Cannot check bearer tokens: " + ex.getMessage());
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER.toSeconds()));
            write(request, response, HttpStatus.SERVICE_UNAVAILABLE,
                    "The identity provider cannot be reached to check the token; retry shortly.");
            return;
        }
        commence(request, response, ex);
    }

    /** A browser request from an origin that CORS_ALLOWED_ORIGINS does not list. */
    void originNotAllowed(HttpServletResponse response) throws IOException {
        write(null, response, HttpStatus.FORBIDDEN, "This origin is not allowed to call the API.");
    }

    private void write(@Nullable HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        if (request != null) {
            problem.put("instance", request.getRequestURI());
        }
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
        response.flushBuffer();
    }
}
