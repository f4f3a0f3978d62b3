package com.helloapi.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The optional request rate limit per client IP ({@link RateLimitSettings}): past its burst a client gets 429 with
 * Retry-After until its bucket refills. The client is the remote address or, when that is a proxy in a private
 * network (the ALB in the VPC), the last X-Forwarded-For entry: the one the proxy appended, which the client cannot
 * forge. Off by default.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class RateLimitFilter extends OncePerRequestFilter {

    private static final String FORWARDED_FOR = "X-Forwarded-For";

    private static final Pattern IPV4 = Pattern
        .compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** Hex digits, colons and an optional embedded IPv4 address: never a host name, so never a DNS lookup. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");

    private final RateLimitSettings settings;

    private final RateLimiter limiter;

    private final ObjectProvider<HandlerExceptionResolver> problems;

    RateLimitFilter(RateLimitSettings settings,
            @Qualifier("handlerExceptionResolver") ObjectProvider<HandlerExceptionResolver> problems) {
        this.settings = settings;
        this.limiter = new RateLimiter(settings.perSecond(), settings.capacity(), settings.maxClients(),
                System::nanoTime);
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !settings.enabled();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String client = client(request.getRemoteAddr(), Collections.list(request.getHeaders(FORWARDED_FOR)));
        long waitNanos = limiter.acquire(client);
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            problems.getObject().resolveException(request, response, null, new TooManyRequestsException(seconds));
            return;
        }
        chain.doFilter(request, response);
    }

    /** Who the client is: the remote address, unless that is a private proxy that appended the client's. */
    static String client(String remoteAddress, List<String> forwardedFor) {
        InetAddress remote = literal(remoteAddress);
        if (remote == null) {
            return remoteAddress;
        }
        if (isPrivate(remote) && !forwardedFor.isEmpty()) {
            String header = forwardedFor.get(forwardedFor.size() - 1);
            InetAddress forwarded = literal(header.substring(header.lastIndexOf(',') + 1).strip());
            if (forwarded != null) {
                return forwarded.getHostAddress();
            }
        }
        return remote.getHostAddress();
    }

    private static boolean isPrivate(InetAddress address) {
        return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || (address.getAddress().length == 16 && (address.getAddress()[0] & 0xfe) == 0xfc);
    }

    /** The address, if the text is an IPv4 or IPv6 literal; null for anything else (no name is ever resolved). */
    private static @Nullable InetAddress literal(String text) {
        if (text.length() > 45 || !(IPV4.matcher(text).matches() || IPV6.matcher(text).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        }
        catch (UnknownHostException ex) {
            return null;
        }
    }

    /** The client has used up its burst; it may try again after {@code retryAfterSeconds}. */
    static class TooManyRequestsException extends RuntimeException {

        private final long retryAfterSeconds;

        TooManyRequestsException(long retryAfterSeconds) {
            super("Too many requests from this client; retry after " + retryAfterSeconds + " s.");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
