package com.helloapi.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;

/**
 * Spring's Jackson converter, with a Content-Length on every JSON body. Spring flushes the response right after
 * writing a body; without a length that flush commits it as chunked, and Tomcat then needs a second system call for
 * the closing chunk (about 4 % of a read's CPU in the profile; the throughput gain is within the benchmark's noise).
 * The bodies are small (a user, a page of at most 100), so they are serialised into a buffer first and sent with
 * headers in one write.
 */
class ContentLengthJsonConverter extends JacksonJsonHttpMessageConverter {

    private static final int INITIAL_BUFFER = 512;

    ContentLengthJsonConverter(JsonMapper mapper) {
        super(mapper);
    }

    @Override
    protected void writeInternal(Object object, ResolvableType type, HttpOutputMessage message,
            @Nullable Map<String, Object> hints) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(INITIAL_BUFFER);
        super.writeInternal(object, type, new HttpOutputMessage() {

            @Override
            public OutputStream getBody() {
                return body;
            }

            @Override
            public HttpHeaders getHeaders() {
                return message.getHeaders();
            }
        }, hints);
        message.getHeaders().setContentLength(body.size());
        body.writeTo(message.getBody());
    }
}
