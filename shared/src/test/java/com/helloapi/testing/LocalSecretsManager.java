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
 * A stand-in for AWS Secrets Manager on loopback that answers {@code GetSecretValue} and {@code DescribeSecret} (which
 * the Secrets Manager JDBC driver's cache asks first, for the current version's id) in the service's JSON protocol
 * (POST, {@code X-Amz-Target: secretsmanager.GetSecretValue}, {@code application/x-amz-json-1.1}), so that the real
 * AWS SDK, pointed here with {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} (or {@code aws.endpointUrlSecretsManager}),
 * takes its production code path. Secrets hold JSON credentials as RDS and the rotation functions write them.
 */
public final class LocalSecretsManager implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String CURRENT = "AWSCURRENT";

    private final HttpServer server;

    /** Each secret's versions by id, the current one under {@link #CURRENT}. */
    private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();

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
        Map<String, String> versions = secrets.computeIfAbsent(arn, key -> new ConcurrentHashMap<>());
        String versionId = UUID.randomUUID().toString();
        versions.put(versionId, JSON.writeValueAsString(value));
        versions.put(CURRENT, versionId);
    }

    /** How many GetSecretValue calls were answered. */
    public int reads() {
        return reads.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode request = JSON.readTree(in.readAllBytes());
            String id = request.path("SecretId").asString("");
            Map<String, String> versions = secrets.get(id);
            boolean known = "secretsmanager.GetSecretValue".equals(target)
                    || "secretsmanager.DescribeSecret".equals(target);
            if (!"POST".equals(exchange.getRequestMethod()) || !known) {
                reply(exchange, 400, Map.of("__type", "UnknownOperationException", "message", String.valueOf(target)));
                return;
            }
            if (versions == null) {
                reply(exchange, 400, Map.of("__type", "ResourceNotFoundException", "message",
                        "Secrets Manager can't find the specified secret."));
                return;
            }
            String current = versions.get(CURRENT);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ARN", id);
            body.put("Name", id.substring(id.lastIndexOf(':') + 1));
            if (target.endsWith("DescribeSecret")) {
                body.put("VersionIdsToStages", Map.of(current, new String[] { CURRENT }));
                reply(exchange, 200, body);
                return;
            }
            String versionId = request.path("VersionId").asString(current);
            String value = versions.get(versionId);
            if (value == null || versionId.equals(CURRENT)) {
                reply(exchange, 400, Map.of("__type", "ResourceNotFoundException", "message",
                        "Secrets Manager can't find the specified secret value for VersionId: " + versionId));
                return;
            }
            reads.incrementAndGet();
            body.put("VersionId", versionId);
            body.put("SecretString", value);
            body.put("VersionStages", versionId.equals(current) ? new String[] { CURRENT } : new String[0]);
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
