package com.helloapi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for AWS Secrets Manager on loopback that answers {@code GetSecretValue} in the service's JSON protocol
 * (POST, {@code X-Amz-Target: secretsmanager.GetSecretValue}, {@code application/x-amz-json-1.1}), so that the real
 * AWS SDK, pointed here with {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} (or {@code aws.endpointUrlSecretsManager}),
 * takes its production code path. Secrets hold JSON credentials as RDS and the rotation functions write them.
 */
public final class LocalSecretsManager implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;

    private final Map<String, String> secrets = new ConcurrentHashMap<>();

    private final AtomicInteger reads = new AtomicInteger();

    private LocalSecretsManager(HttpServer server) {
        this.server = server;
    }

    public static LocalSecretsManager start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        LocalSecretsManager secretsManager = new LocalSecretsManager(server);
        server.createContext("/", secretsManager::handle);
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "local-secrets-manager");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return secretsManager;
    }

    /** What {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} should say. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A secret's ARN in a region, as RDS names its managed secrets. */
    public static String arn(String region, String name) {
        return "arn:aws:secretsmanager:" + region + ":123456789012:secret:" + name + "-AbCdEf";
    }

    /** Stores (or rotates) the credentials a secret holds, as {@code {"username": ..., "password": ...}}. */
    public void putCredentials(String arn, String username, String password) {
        Map<String, String> value = new LinkedHashMap<>();
        value.put("username", username);
        value.put("password", password);
        secrets.put(arn, JSON.writeValueAsString(value));
    }

    /** How many GetSecretValue calls were answered. */
    public int reads() {
        return reads.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode request = JSON.readTree(in.readAllBytes());
            if (!"POST".equals(exchange.getRequestMethod()) || !"secretsmanager.GetSecretValue".equals(target)) {
                reply(exchange, 400, Map.of("__type", "UnknownOperationException", "message", String.valueOf(target)));
                return;
            }
            String id = request.path("SecretId").asString("");
            String value = secrets.get(id);
            if (value == null) {
                reply(exchange, 400, Map.of("__type", "ResourceNotFoundException", "message",
                        "Secrets Manager can't find the specified secret."));
                return;
            }
            reads.incrementAndGet();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ARN", id);
            body.put("Name", id.substring(id.lastIndexOf(':') + 1));
            body.put("VersionId", UUID.randomUUID().toString());
            body.put("SecretString", value);
            body.put("VersionStages", new String[] { "AWSCURRENT" });
            body.put("CreatedDate", Instant.now().getEpochSecond());
            reply(exchange, 200, body);
        }
    }

    private static void reply(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
