package com.helloapi.container;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 written by hand over a plain socket, for requests that {@code java.net.http.HttpClient} would refuse or
 * tidy up (bad request lines, raw bytes in the URI, broken headers, lying lengths); one connection per request.
 */
final class RawHttp {

    private static final int TIMEOUT_MS = 5_000;

    private static final int MAX_BODY = 1 << 20;

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** What a request may get back. */
    enum Answer {

        /** An HTTP/1.1 response. */
        RESPONSE,

        /** An HTTP/1.1 response without a body (HEAD). */
        HEADERS,

        /**
         * A request without an HTTP version, which Tomcat reads as HTTP/0.9: the answer is a body only, without
         * status line or headers (or an HTTP/1.1 response, if Tomcat found a version after all).
         */
        HTTP_09,

        /** A response, or the connection closed without one (what an HTTP/1.1 server does with HTTP/2 frames). */
        RESPONSE_OR_CLOSE
    }

    /** A request as bytes on the wire, and what it may get back. */
    record Request(String label, byte[] bytes, Answer answer) {

        static Request of(String label, byte[] bytes) {
            return new Request(label, bytes, Answer.RESPONSE);
        }

        /** The request line and headers as written, the body cut short, control bytes escaped. */
        String describe() {
            StringBuilder text = new StringBuilder(label).append(": ");
            int shown = Math.min(bytes.length, 240);
            for (int i = 0; i < shown; i++) {
                int b = bytes[i] & 0xff;
                if (b == '\r') {
                    text.append("\\r");
                }
                else if (b == '\n') {
                    text.append("\\n");
                }
                else if (b < 0x20 || b >= 0x7f) {
                    text.append(String.format("\\x%02x", b));
                }
                else {
                    text.append((char) b);
                }
            }
            return shown < bytes.length ? text.append("... (" + bytes.length + " bytes)").toString()
                    : text.toString();
        }
    }

    /** A response: status, headers by lower-case name, and the body (de-chunked); status 0 when the server closed. */
    record Response(int status, Map<String, List<String>> headers, byte[] body) {

        @Nullable String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Writes the request and reads one response. A server that answers early (a 413 while the body is still being
     * written, say) may close the connection under the writer: the response is read all the same.
     *
     * @throws IOException if no complete response arrives within the timeout
     */
    Response exchange(Request request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request.bytes());
                out.flush();
            }
            catch (IOException ex) {
                // The server stopped reading: its answer is on the way.
            }
            if (request.answer() == Answer.HTTP_09 && !startsWithStatusLine(in)) {
                return new Response(0, Map.of(), in.readNBytes(MAX_BODY));
            }
            return read(in, request.answer() == Answer.HEADERS, request.answer() == Answer.RESPONSE_OR_CLOSE);
        }
    }

    /** One response from a connection the caller keeps (keep-alive). */
    static Response read(InputStream in) throws IOException {
        return read(in, false, false);
    }

    private static Response read(InputStream in, boolean head, boolean mayClose) throws IOException {
        while (true) {
            String statusLine = line(in);
            if (statusLine == null && mayClose) {
                return new Response(0, Map.of(), new byte[0]);
            }
            if (statusLine == null) {
                throw new IOException("connection closed without a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            name -> new ArrayList<>())
                        .add(header.substring(colon + 1).strip());
                }
            }
            if (status == 100) {
                continue;
            }
            Response response = new Response(status, headers, new byte[0]);
            if (head || status == 204 || status == 304) {
                return response;
            }
            String encoding = response.header("transfer-encoding");
            String length = response.header("content-length");
            byte[] body;
            if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = chunked(in);
            }
            else if (length != null) {
                body = in.readNBytes(Math.min(Integer.parseInt(length), MAX_BODY));
            }
            else {
                body = in.readNBytes(MAX_BODY);
            }
            return new Response(status, headers, body);
        }
    }

    private static boolean startsWithStatusLine(InputStream in) throws IOException {
        in.mark(16);
        byte[] start = in.readNBytes(7);
        in.reset();
        return new String(start, StandardCharsets.ISO_8859_1).equals("HTTP/1.");
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("chunked body cut short");
            }
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            if (length == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // Trailers are not used.
                }
                return body.toByteArray();
            }
            if (body.size() + length > MAX_BODY) {
                throw new IOException("response body too large");
            }
            body.write(in.readNBytes(length));
            line(in);
        }
    }

    /** A line without its CRLF, or null at the end of the stream. */
    private static @Nullable String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 64 * 1024) {
                throw new IOException("response line too long");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
