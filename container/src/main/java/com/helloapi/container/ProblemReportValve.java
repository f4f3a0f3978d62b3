package com.helloapi.container;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.res.StringManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;

/**
 * Tomcat's answer to requests it refuses before the application sees them (a broken request line or header, an
 * invalid URI, headers over the size limit, an unknown transfer coding or HTTP version) is an RFC 9457 problem, like
 * every other error of the API, instead of Tomcat's HTML report with its version. The client caused all of these,
 * so Tomcat's 501 and 505 become 400, and headers over the limit 431. Errors the application answers itself never
 * get here.
 */
class ProblemReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ProblemReportValve.class);

    private static final String REQUEST_ID = "X-Request-Id";

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}");

    /** Tomcat reports headers over the limit only through this message, in the server's language. */
    private static final String HEADERS_TOO_LARGE = StringManager.getManager("org.apache.coyote.http11")
        .getString("iib.requestheadertoolarge.error");

    @Override
    protected void report(Request request, Response response, @Nullable Throwable throwable) {
        if (response.getStatus() < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        int tomcatStatus = response.getStatus();
        HttpStatus status = status(tomcatStatus, throwable);
        // A request the application saw already has its id, and its log line.
        String given = response.getHeader(REQUEST_ID);
        String id = given != null ? given : UUID.randomUUID().toString();
        try {
            response.setStatus(status.value());
            response.setHeader(REQUEST_ID, id);
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"type\":\"about:blank\",\"title\":\"" + status.getReasonPhrase() + "\",\"status\":"
                        + status.value() + ",\"detail\":\"" + detail(status, tomcatStatus) + "\"}");
                response.finishResponse();
            }
        }
        catch (IOException | IllegalStateException ex) {
            // The connection is gone: nobody is left to answer.
        }
        if (given == null) {
            logRefusal(request, status, id);
        }
    }

    private static HttpStatus status(int status, @Nullable Throwable throwable) {
        if (throwable instanceof IllegalArgumentException && HEADERS_TOO_LARGE.equals(throwable.getMessage())) {
            return HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (status == 501 || status == 505) {
            return HttpStatus.BAD_REQUEST;
        }
        HttpStatus known = HttpStatus.resolve(status);
        return known != null ? known : HttpStatus.BAD_REQUEST;
    }

    private static String detail(HttpStatus status, int tomcatStatus) {
        if (tomcatStatus == 501) {
            return "The request uses a method or transfer coding that this server does not implement.";
        }
        if (tomcatStatus == 505) {
            return "The HTTP version is not supported; use HTTP/1.1.";
        }
        return switch (status) {
            case BAD_REQUEST -> "The request is not valid HTTP/1.1: check its request line, headers and URI encoding.";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "The request line and headers are larger than this server accepts.";
            default -> status.is5xxServerError() ? "A server error occurred." : status.getReasonPhrase() + ".";
        };
    }

    /** The request log line the application would have written, for requests it never saw. */
    private static void logRefusal(Request request, HttpStatus status, String id) {
        if (log.isInfoEnabled()) {
            String method = request.getMethod();
            log.atInfo()
                .addKeyValue("request_id", id)
                .addKeyValue("method", method != null && TOKEN.matcher(method).matches() ? method : "-")
                .addKeyValue("route", "refused")
                .addKeyValue("status", status.value())
                .log("Refused a malformed request: {}", status.value());
        }
    }
}
