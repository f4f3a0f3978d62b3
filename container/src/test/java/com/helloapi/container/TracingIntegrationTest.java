package com.helloapi.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.helloapi.HelloApi;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces reach a real OTLP/HTTP receiver (protobuf, as the collector beside the task receives them): a create, a read
 * and a failed read each make a server span named by its route template and status, with a child span per statement
 * whose text has no values; no attribute carries an e-mail address or a value from the request; a caller's W3C
 * {@code traceparent} and X-Ray {@code X-Amzn-Trace-Id} are continued; the response and the request's log line carry
 * the trace id.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.tracing.sampling.probability=1.0", "logging.structured.format.console=logstash" })
@ExtendWith(OutputCaptureExtension.class)
// Closed afterwards, its exporter thread with it: TracingOffIntegrationTest looks for none in this JVM.
@DirtiesContext
class TracingIntegrationTest {

    private static final OtlpReceiver RECEIVER = OtlpReceiver.start();

    private static final String EMAIL = "tracy.tracer@example.com";

    private static final String NAME = "Tracy Tracer";

    private static final long MISSING_ID = 987_654_321L;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void exportTo(DynamicPropertyRegistry registry) {
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", RECEIVER::endpoint);
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    @Test
    void createReadAndFailedReadMakeServerSpansWithStatementChildrenAndNoValues(CapturedOutput output)
            throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/users/"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + NAME + "\",\"email\":\"" + EMAIL + "\"}")));
        assertThat(created.statusCode()).isEqualTo(201);
        Matcher id = Pattern.compile("\"id\":(\\d+)").matcher(created.body());
        assertThat(id.find()).isTrue();
        HttpResponse<String> read = send(HttpRequest.newBuilder(uri("/api/users/" + id.group(1) + "/")));
        assertThat(read.statusCode()).isEqualTo(200);
        HttpResponse<String> failed = send(HttpRequest.newBuilder(uri("/api/users/" + MISSING_ID + "/")));
        assertThat(failed.statusCode()).isEqualTo(404);
        assertThat(failed.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        for (HttpResponse<String> response : List.of(created, read, failed)) {
            String traceId = response.headers().firstValue("X-Trace-Id").orElseThrow();
            Span server = await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.serverSpan(traceId),
                    Optional::isPresent).orElseThrow();
            List<Span> statements = RECEIVER.childrenOf(server);
            assertThat(statements).as("a span per statement, under the request's").isNotEmpty();
            for (Span statement : statements) {
                assertThat(statement.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
                assertThat(attributes(statement)).containsEntry("db.system", "postgresql");
                assertThat(attributes(statement).get("db.statement")).contains("users").contains("?");
            }
            // The request log line names the same trace.
            String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(output.getOut().lines()
                .filter((line) -> line.contains("\"request_id\":\"" + requestId + "\"")
                        && line.contains("\"duration_ms\"")))
                .singleElement()
                .satisfies((line) -> assertThat(line).contains("\"trace_id\":\"" + traceId + "\""));
        }
        Span create = RECEIVER.serverSpan(created.headers().firstValue("X-Trace-Id").orElseThrow()).orElseThrow();
        assertThat(attributes(create)).containsEntry("uri", "/api/users").containsEntry("status", "201")
            .containsEntry("method", "POST");
        assertThat(RECEIVER.childrenOf(create)).extracting((span) -> attributes(span).get("db.statement"))
            .anySatisfy((statement) -> assertThat(statement).startsWith("INSERT INTO users"));
        Span get = RECEIVER.serverSpan(read.headers().firstValue("X-Trace-Id").orElseThrow()).orElseThrow();
        assertThat(attributes(get)).containsEntry("uri", "/api/users/{id}").containsEntry("status", "200");
        Span miss = RECEIVER.serverSpan(failed.headers().firstValue("X-Trace-Id").orElseThrow()).orElseThrow();
        assertThat(attributes(miss)).containsEntry("uri", "/api/users/{id}").containsEntry("status", "404");
        assertThat(RECEIVER.childrenOf(miss)).extracting((span) -> attributes(span).get("db.statement"))
            .containsExactly("SELECT * FROM users WHERE id = ?");

        for (Span span : RECEIVER.spans()) {
            assertThat(attributes(span).values()).as(span.getName())
                .noneSatisfy((value) -> assertThat(value).containsAnyOf(EMAIL, "tracy.tracer", NAME,
                        String.valueOf(MISSING_ID), "/api/users/" + id.group(1)));
            assertThat(span.getEventsList()).flatExtracting((event) -> event.getAttributesList())
                .extracting((attribute) -> attribute.getValue().getStringValue())
                .noneSatisfy((value) -> assertThat(value).containsAnyOf(EMAIL, NAME, String.valueOf(MISSING_ID)));
        }
    }

    @Test
    void continuesTheCallersW3cTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parentId = "00f067aa0ba902b7";
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/users/?limit=1"))
            .header("traceparent", "00-" + traceId + "-" + parentId + "-01"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
        Span server = await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.serverSpan(traceId),
                Optional::isPresent).orElseThrow();
        assertThat(hex(server.getParentSpanId().toByteArray())).isEqualTo(parentId);
    }

    @Test
    void continuesAnXRayTraceFromTheAmazonTraceHeader() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/users/?limit=1"))
            .header("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"));

        assertThat(response.statusCode()).isEqualTo(200);
        String traceId = "5759e988bd862e3fe1be46a994272793";
        assertThat(response.headers().firstValue("X-Trace-Id")).hasValue(traceId);
        Span server = await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.serverSpan(traceId),
                Optional::isPresent).orElseThrow();
        assertThat(hex(server.getParentSpanId().toByteArray())).isEqualTo("53995c3f42cd8ad8");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream()
            .collect(Collectors.toMap(KeyValue::getKey, (attribute) -> text(attribute.getValue()), (a, b) -> a));
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> String.valueOf(value.getIntValue());
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            case DOUBLE_VALUE -> String.valueOf(value.getDoubleValue());
            default -> value.toString();
        };
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** An OTLP/HTTP trace receiver on loopback: {@code POST /v1/traces} with a protobuf export request. */
    static final class OtlpReceiver implements AutoCloseable {

        private final HttpServer server;

        private final List<Span> spans = new CopyOnWriteArrayList<>();

        private OtlpReceiver(HttpServer server) {
            this.server = server;
        }

        static OtlpReceiver start() {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                OtlpReceiver receiver = new OtlpReceiver(server);
                server.createContext("/v1/traces", receiver::receive);
                server.start();
                return receiver;
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
        }

        List<Span> spans() {
            return List.copyOf(spans);
        }

        Optional<Span> serverSpan(String traceId) {
            return spans.stream()
                .filter((span) -> span.getKind() == Span.SpanKind.SPAN_KIND_SERVER
                        && hex(span.getTraceId().toByteArray()).equals(traceId))
                .findFirst();
        }

        List<Span> childrenOf(Span parent) {
            return spans.stream().filter((span) -> span.getParentSpanId().equals(parent.getSpanId())).toList();
        }

        private void receive(HttpExchange exchange) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                request.getResourceSpansList()
                    .forEach((resource) -> resource.getScopeSpansList()
                        .forEach((scope) -> spans.addAll(scope.getSpansList())));
                byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
