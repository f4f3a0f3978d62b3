package com.helloapi.lambda;

import java.nio.charset.StandardCharsets;

import java.util.List;
import java.util.Locale;

import jakarta.servlet.ServletContext;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.function.serverless.web.ServerlessHttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.web.util.UriUtils;

/**
 * The servlet request an event becomes. Unlike the serverless web module's own translation it keeps the query
 * string, the client's Content-Type (none when none was sent, rather than assuming JSON) and every header value,
 * and it answers the connection questions (scheme, host, port, client address) as a container behind the gateway
 * would: from the Host and X-Forwarded-* headers that API Gateway and ALBs set.
 */
class LambdaHttpRequest extends ServerlessHttpServletRequest {

    private final ApiGatewayEvent event;

    private final String scheme;

    private final String serverName;

    private final int serverPort;

    LambdaHttpRequest(ServletContext servletContext, ApiGatewayEvent event) {
        super(servletContext, event.method(), event.path());
        this.event = event;
        // As Tomcat maps the DispatcherServlet to "/": the whole decoded path is the servlet path, there is no path
        // info. Spring Security's firewall inspects both, so they must look as they do in the container.
        setServletPath(decodedPath(event.path()));
        setPathInfo(null);
        event.headers().forEach((name, values) -> values.forEach(value -> addHeader(name, value)));
        event.parameters().forEach((name, values) -> setParameter(name, values.toArray(String[]::new)));
        setQueryString(event.query());
        if (event.body() != null) {
            setContent(event.body());
        }
        HttpHeaders headers = event.headers();
        String forwardedProto = first(headers.getFirst("X-Forwarded-Proto"));
        this.scheme = "http".equalsIgnoreCase(forwardedProto) ? "http" : "https";
        String host = headers.getFirst(HttpHeaders.HOST);
        if (host == null || host.isBlank()) {
            host = event.domainName() == null ? "localhost" : event.domainName();
        }
        int colon = host.lastIndexOf(':');
        this.serverName = colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
        this.serverPort = port(first(headers.getFirst("X-Forwarded-Port")), "https".equals(this.scheme) ? 443 : 80);
    }

    private static String decodedPath(String path) {
        try {
            return UriUtils.decode(path, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException ex) {
            // Malformed percent-encoding: left as sent, for the firewall to refuse as Tomcat would.
            return path;
        }
    }

    ApiGatewayEvent event() {
        return this.event;
    }

    @Override
    public String getScheme() {
        return this.scheme;
    }

    @Override
    public boolean isSecure() {
        return "https".equals(this.scheme);
    }

    @Override
    public String getServerName() {
        return this.serverName;
    }

    @Override
    public int getServerPort() {
        return this.serverPort;
    }

    @Override
    public StringBuffer getRequestURL() {
        StringBuffer url = new StringBuffer(this.scheme).append("://").append(this.serverName);
        if (this.serverPort != ("https".equals(this.scheme) ? 443 : 80)) {
            url.append(':').append(this.serverPort);
        }
        return url.append(getRequestURI());
    }

    @Override
    public String getProtocol() {
        return "HTTP/1.1";
    }

    @Override
    public String getRemoteAddr() {
        return this.event.sourceIp() == null ? "0.0.0.0" : this.event.sourceIp();
    }

    @Override
    public String getRemoteHost() {
        return getRemoteAddr();
    }

    @Override
    public int getRemotePort() {
        return 0;
    }

    @Override
    public String getLocalName() {
        return this.serverName;
    }

    @Override
    public String getLocalAddr() {
        return "127.0.0.1";
    }

    @Override
    public int getLocalPort() {
        return this.serverPort;
    }

    @Override
    public @Nullable String getCharacterEncoding() {
        String encoding = super.getCharacterEncoding();
        if (encoding != null) {
            return encoding;
        }
        String contentType = getContentType();
        if (contentType != null) {
            for (String parameter : contentType.split(";")) {
                String value = parameter.strip();
                if (value.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    return value.substring("charset=".length()).replace("\"", "");
                }
            }
        }
        return null;
    }

    private static @Nullable String first(@Nullable String list) {
        return list == null ? null : List.of(list.split(",")).get(0).strip();
    }

    private static int port(@Nullable String value, int fallback) {
        try {
            int port = value == null ? fallback : Integer.parseInt(value);
            return port > 0 && port <= 65535 ? port : fallback;
        }
        catch (NumberFormatException ex) {
            return fallback;
        }
    }
}
