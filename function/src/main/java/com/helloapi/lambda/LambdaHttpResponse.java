package com.helloapi.lambda;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedCaseInsensitiveMap;

/**
 * The servlet response a Lambda invocation collects, with a servlet container's semantics where the application can
 * tell: Content-Type and character encoding as Tomcat combines them, {@link #sendError} remembered so the handler can
 * render the error page, and every header value kept in order.
 */
class LambdaHttpResponse implements HttpServletResponse {

    private static final String DEFAULT_CHARACTER_ENCODING = StandardCharsets.ISO_8859_1.name();

    private final Map<String, List<String>> headers = new LinkedCaseInsensitiveMap<>(Locale.ROOT);

    private ByteArrayOutputStream body = new ByteArrayOutputStream();

    private int status = SC_OK;

    private @Nullable String mediaType;

    private @Nullable String characterEncoding;

    private @Nullable PrintWriter writer;

    private @Nullable ServletOutputStream outputStream;

    private boolean committed;

    private @Nullable Integer errorStatus;

    private @Nullable String errorMessage;

    private Locale locale = Locale.getDefault();

    /** Headers in the order set, names as the application wrote them. */
    Map<String, List<String>> headers() {
        return this.headers;
    }

    byte[] body() {
        if (this.writer != null) {
            this.writer.flush();
        }
        return this.body.toByteArray();
    }

    /** The status given to {@link #sendError}, when the application asked for the error page. */
    @Nullable Integer errorStatus() {
        return this.errorStatus;
    }

    @Nullable String errorMessage() {
        return this.errorMessage;
    }

    /** Gets ready to render the error page: the body goes, headers stay, as a servlet container does. */
    void prepareErrorPage() {
        this.body = new ByteArrayOutputStream();
        this.writer = null;
        this.outputStream = null;
        this.mediaType = null;
        this.characterEncoding = null;
        this.headers.remove(HttpHeaders.CONTENT_TYPE);
        this.headers.remove(HttpHeaders.CONTENT_LENGTH);
        this.committed = false;
        this.errorStatus = null;
    }

    @Override
    public void addCookie(Cookie cookie) {
        StringBuilder header = new StringBuilder(cookie.getName()).append('=').append(cookie.getValue());
        if (cookie.getPath() != null) {
            header.append("; Path=").append(cookie.getPath());
        }
        if (cookie.getDomain() != null) {
            header.append("; Domain=").append(cookie.getDomain());
        }
        if (cookie.getMaxAge() >= 0) {
            header.append("; Max-Age=").append(cookie.getMaxAge());
        }
        if (cookie.getSecure()) {
            header.append("; Secure");
        }
        if (cookie.isHttpOnly()) {
            header.append("; HttpOnly");
        }
        addHeader(HttpHeaders.SET_COOKIE, header.toString());
    }

    @Override
    public boolean containsHeader(String name) {
        return this.headers.containsKey(name);
    }

    @Override
    public String encodeURL(String url) {
        return url;
    }

    @Override
    public String encodeRedirectURL(String url) {
        return url;
    }

    @Override
    public void sendError(int status, @Nullable String message) {
        if (this.committed) {
            throw new IllegalStateException("Cannot send an error: the response is committed");
        }
        this.status = status;
        this.errorStatus = status;
        this.errorMessage = message;
        this.body.reset();
        this.committed = true;
    }

    @Override
    public void sendError(int status) {
        sendError(status, null);
    }

    @Override
    public void sendRedirect(String location) {
        sendRedirect(location, SC_FOUND, true);
    }

    @Override
    public void sendRedirect(String location, int status, boolean clearBuffer) {
        if (clearBuffer) {
            this.body.reset();
        }
        setHeader(HttpHeaders.LOCATION, location);
        this.status = status;
        this.committed = true;
    }

    @Override
    public void setDateHeader(String name, long date) {
        setHeader(name, formatDate(date));
    }

    @Override
    public void addDateHeader(String name, long date) {
        addHeader(name, formatDate(date));
    }

    @Override
    public void setHeader(String name, @Nullable String value) {
        if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
            setContentType(value);
            return;
        }
        if (value == null) {
            this.headers.remove(name);
            return;
        }
        List<String> values = new ArrayList<>();
        values.add(value);
        this.headers.put(name, values);
    }

    @Override
    public void addHeader(String name, @Nullable String value) {
        if (value == null) {
            return;
        }
        if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
            setContentType(value);
            return;
        }
        this.headers.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        setHeader(name, String.valueOf(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        addHeader(name, String.valueOf(value));
    }

    @Override
    public void setStatus(int status) {
        if (!this.committed) {
            this.status = status;
        }
    }

    @Override
    public int getStatus() {
        return this.status;
    }

    @Override
    public @Nullable String getHeader(String name) {
        List<String> values = this.headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        List<String> values = this.headers.get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public Collection<String> getHeaderNames() {
        return List.copyOf(this.headers.keySet());
    }

    @Override
    public String getCharacterEncoding() {
        return this.characterEncoding == null ? DEFAULT_CHARACTER_ENCODING : this.characterEncoding;
    }

    @Override
    public @Nullable String getContentType() {
        return getHeader(HttpHeaders.CONTENT_TYPE);
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (this.writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        if (this.outputStream == null) {
            this.outputStream = new ServletOutputStream() {

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("Lambda responses are buffered, not written asynchronously");
                }

                @Override
                public void write(int b) {
                    LambdaHttpResponse.this.body.write(b);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    LambdaHttpResponse.this.body.write(bytes, offset, length);
                }
            };
        }
        return this.outputStream;
    }

    @Override
    public PrintWriter getWriter() {
        if (this.outputStream != null) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        if (this.writer == null) {
            this.writer = new PrintWriter(new OutputStreamWriter(this.body, Charset.forName(getCharacterEncoding())));
        }
        return this.writer;
    }

    @Override
    public void setCharacterEncoding(@Nullable String encoding) {
        if (this.writer != null || this.committed) {
            return;
        }
        this.characterEncoding = encoding;
        writeContentType();
    }

    @Override
    public void setContentLength(int length) {
        setContentLengthLong(length);
    }

    @Override
    public void setContentLengthLong(long length) {
        setHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(length));
    }

    /** As Tomcat: a charset parameter in the type sets the encoding, and the header carries the encoding set. */
    @Override
    public void setContentType(@Nullable String type) {
        if (this.committed) {
            return;
        }
        if (type == null) {
            this.mediaType = null;
            this.headers.remove(HttpHeaders.CONTENT_TYPE);
            return;
        }
        StringBuilder media = new StringBuilder();
        for (String part : type.split(";")) {
            String parameter = part.strip();
            if (parameter.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                if (this.writer == null) {
                    this.characterEncoding = parameter.substring("charset=".length()).replace("\"", "");
                }
            }
            else if (!parameter.isEmpty()) {
                media.append(media.isEmpty() ? "" : ";").append(parameter);
            }
        }
        this.mediaType = media.toString();
        writeContentType();
    }

    private void writeContentType() {
        if (this.mediaType == null) {
            return;
        }
        String value = this.characterEncoding == null ? this.mediaType
                : this.mediaType + ";charset=" + this.characterEncoding;
        List<String> values = new ArrayList<>();
        values.add(value);
        this.headers.put(HttpHeaders.CONTENT_TYPE, values);
    }

    @Override
    public void setBufferSize(int size) {
        // Everything is buffered until the invocation returns.
    }

    @Override
    public int getBufferSize() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void flushBuffer() {
        if (this.writer != null) {
            this.writer.flush();
        }
        this.committed = true;
    }

    @Override
    public void resetBuffer() {
        if (this.committed) {
            throw new IllegalStateException("Cannot reset the buffer: the response is committed");
        }
        this.body.reset();
    }

    @Override
    public boolean isCommitted() {
        return this.committed;
    }

    @Override
    public void reset() {
        resetBuffer();
        this.headers.clear();
        this.status = SC_OK;
        this.mediaType = null;
        this.characterEncoding = null;
        this.writer = null;
        this.outputStream = null;
    }

    @Override
    public void setLocale(@Nullable Locale locale) {
        if (locale != null && !this.committed) {
            this.locale = locale;
        }
    }

    @Override
    public Locale getLocale() {
        return this.locale;
    }

    @Override
    public void setTrailerFields(Supplier<Map<String, String>> supplier) {
        throw new UnsupportedOperationException("API Gateway and ALB responses have no trailers");
    }

    private static String formatDate(long date) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(date).atZone(ZoneOffset.UTC));
    }
}
