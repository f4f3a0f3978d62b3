package com.helloapi.container;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling deployment's stop, for real: the application runs in its own JVM and gets SIGTERM while requests are in
 * flight (held in the database by a lock, so they certainly are) and a steady stream keeps coming. Every request in
 * flight is answered, nothing is answered with an error, and it exits well inside ECS's 30 s stop timeout. (A
 * connection that raced the closing listener can be reset before the server ever read it; behind the ALB none
 * arrive then, since the target is deregistered before ECS sends SIGTERM.)
 */
class GracefulShutdownIntegrationTest {

    /** What happened to one request: answered with a status, refused, or broken after connecting (status 0). */
    record Outcome(int status, boolean refused, long connectedAt) {

        boolean answeredOk() {
            return status == 200;
        }
    }

    @Test
    void finishesInFlightRequestsOnSigtermAndExits(@TempDir Path logs) throws Exception {
        TestDatabase database = TestDatabase.shared();
        int port = freePort();
        Process app = startReady(database, port, logs);
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {

            ConcurrentLinkedQueue<Outcome> stream = new ConcurrentLinkedQueue<>();
            AtomicBoolean streaming = new AtomicBoolean(true);
            Future<?> steady = clients.submit(() -> {
                while (streaming.get()) {
                    stream.add(request(port, "/actuator/health/liveness"));
                }
            });

            List<Future<Outcome>> held;
            long signalAt;
            try (Connection blocker = database.connect()) {
                blocker.setAutoCommit(false);
                blocker.createStatement().execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
                held = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    held.add(clients.submit(() -> request(port, "/api/users/")));
                }
                Thread.sleep(1000);

                signalAt = System.nanoTime();
                app.destroy();
                Thread.sleep(1000);
                blocker.rollback();
            }

            for (Future<Outcome> inFlight : held) {
                assertThat(inFlight.get(30, TimeUnit.SECONDS).answeredOk()).as("in flight at SIGTERM").isTrue();
            }
            assertThat(app.waitFor(25, TimeUnit.SECONDS)).as("exits inside ECS's stop timeout").isTrue();
            streaming.set(false);
            steady.get(10, TimeUnit.SECONDS);

            long settled = signalAt - TimeUnit.MILLISECONDS.toNanos(500);
            assertThat(stream).isNotEmpty()
                .allSatisfy(outcome -> assertThat(outcome.status() <= 0 || outcome.answeredOk())
                    // Seen once in ~30 runs under load: a 400 at the instant the listening socket closed. What
                    // Tomcat and the valve logged then is what tells which branch answered it.
                    .as(() -> "never answered with an error: " + outcome + "; the API logged:\n"
                            + refusals(logs.resolve("app.log")))
                    .isTrue())
                .filteredOn(outcome -> !outcome.refused() && outcome.connectedAt() < settled)
                .isNotEmpty()
                .allSatisfy(outcome -> assertThat(outcome.answeredOk()).as("accepted before the signal: " + outcome)
                    .isTrue());
            assertThat(Files.readString(logs.resolve("app.log"))).contains("Graceful shutdown")
                .doesNotContain("Exception");
        }
        finally {
            clients.shutdownNow();
            app.destroyForcibly();
        }
    }

    /**
     * A client that keeps its connections alive and has a request in flight at SIGTERM is told, in that response,
     * that the connection closes: it never sends another request on a connection the server is about to close.
     */
    @Test
    void tellsKeptAliveClientsToCloseAfterSigterm(@TempDir Path logs) throws Exception {
        TestDatabase database = TestDatabase.shared();
        int port = freePort();
        Process app = startReady(database, port, logs);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Socket> sockets = new ArrayList<>();
        try {
            byte[] get = "GET /api/users/ HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            List<InputStream> ins = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(30_000);
                sockets.add(socket);
                InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                ins.add(in);
                socket.getOutputStream().write(get);
                RawHttp.Response before = RawHttp.read(in);
                assertThat(before.status()).isEqualTo(200);
                assertThat(before.header("connection")).as("kept alive before the signal").isNull();
            }

            List<Future<RawHttp.Response>> inFlight = new ArrayList<>();
            try (Connection blocker = database.connect()) {
                blocker.setAutoCommit(false);
                blocker.createStatement().execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
                for (int i = 0; i < sockets.size(); i++) {
                    sockets.get(i).getOutputStream().write(get);
                    InputStream in = ins.get(i);
                    inFlight.add(clients.submit(() -> RawHttp.read(in)));
                }
                Thread.sleep(1000);
                app.destroy();
                Thread.sleep(1000);
                blocker.rollback();
            }

            for (Future<RawHttp.Response> response : inFlight) {
                RawHttp.Response answer = response.get(30, TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("connection")).as("the response after SIGTERM closes its connection")
                    .isEqualToIgnoringCase("close");
            }
            assertThat(app.waitFor(25, TimeUnit.SECONDS)).as("exits inside ECS's stop timeout").isTrue();
        }
        finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            clients.shutdownNow();
            app.destroyForcibly();
        }
    }

    /** The container's main class in a JVM of its own, on the test class path, once it is ready. */
    private static Process startReady(TestDatabase database, int port, Path logs) throws IOException {
        Process app = start(database, port, logs.resolve("app.log"), "-cp", System.getProperty("java.class.path"),
                HelloApiContainer.class.getName());
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> status(port, "/actuator/health/readiness") == 200);
            return app;
        }
        catch (RuntimeException ex) {
            app.destroyForcibly();
            throw ex;
        }
    }

    /** The API in a JVM of its own, {@code java javaArguments...}, with the settings a task gets, on this database. */
    static Process start(TestDatabase database, int port, Path log, String... javaArguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(javaArguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("PORT", String.valueOf(port));
        env.put("DB_HOST", database.host());
        env.put("DB_PORT", String.valueOf(database.port()));
        env.put("DB_NAME", database.name());
        env.put("DB_USERNAME", database.username());
        env.put("DB_PASSWORD", database.password());
        env.put("DB_SSLMODE", "disable");
        env.put("SECRET_KEY", "separate-jvm-test-secret");
        env.put("LOG_FORMAT", "");
        builder.directory(new File(System.getProperty("java.io.tmpdir")));
        return builder.start();
    }

    private static String refusals(Path log) {
        try {
            return String.join("\n", Files.readAllLines(log)
                .stream()
                .filter(line -> line.contains("Refused") || line.contains("WARN") || line.contains("ERROR")
                        || line.contains("parse") || line.contains("Exception"))
                .toList());
        }
        catch (IOException ex) {
            return ex.toString();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static int status(int port, String path) {
        Outcome outcome = request(port, path);
        return outcome.refused() ? -1 : outcome.status();
    }

    /** One request on its own connection, so a closed keep-alive connection cannot be mistaken for a failure. */
    static Outcome request(int port, String path) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
            catch (IOException ex) {
                return new Outcome(-1, true, System.nanoTime());
            }
            long connectedAt = System.nanoTime();
            try {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                int status = response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : 0;
                return new Outcome(status, false, connectedAt);
            }
            catch (IOException ex) {
                return new Outcome(0, false, connectedAt);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
