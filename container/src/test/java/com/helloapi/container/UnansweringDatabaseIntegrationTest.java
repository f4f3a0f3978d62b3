package com.helloapi.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database that stops answering in the middle of a query (the network between them drops packets, as in a failover)
 * fails that request with a 503 within seconds, instead of holding the request and its connection until TCP gives up:
 * the pool's watchdog aborts a connection held for {@code DB_STATEMENT_TIMEOUT} and two seconds. The API recovers by
 * itself once the database answers again.
 */
class UnansweringDatabaseIntegrationTest {

    @Test
    void aQueryWithoutAnswerEndsAtTheHoldTimeout() throws Exception {
        TestDatabase database = TestDatabase.shared();
        try (FreezingProxy proxy = new FreezingProxy(database.host(), database.port());
                ConfigurableApplicationContext api = new SpringApplicationBuilder(HelloApi.class).run(
                        "--server.port=0", "--db.host=127.0.0.1", "--db.port=" + proxy.port(),
                        "--db.name=" + database.name(), "--db.username=" + database.username(),
                        "--db.password=" + database.password(), "--db.sslmode=disable",
                        "--db.statement-timeout=1s",
                        // Two connections (Flyway needs both at start-up); requests one after the other get the
                        // first, just used, so the pool hands it out again without checking it first.
                        "--spring.datasource.hikari.maximum-pool-size=2",
                        "--spring.datasource.hikari.minimum-idle=2",
                        "--helloapi.cursor-secret=a-test-secret-of-some-length")) {
            int port = ((WebServerApplicationContext) api).getWebServer().getPort();
            HttpClient client = HttpClient.newHttpClient();
            assertThat(get(client, port).statusCode()).isEqualTo(200);

            proxy.freeze();
            long start = System.nanoTime();
            HttpResponse<String> response = get(client, port);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(took).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(15));

            proxy.thaw();
            await().atMost(Duration.ofSeconds(15)).until(() -> get(client, port).statusCode() == 200);
        }
    }

    private static HttpResponse<String> get(HttpClient client, int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/"))
            .timeout(Duration.ofSeconds(30))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Forwards TCP to the database; while frozen it keeps reading (so TCP acknowledges) but delivers nothing. */
    private static final class FreezingProxy implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        private boolean frozen;

        FreezingProxy(String host, int port) throws IOException {
            daemon(() -> {
                try {
                    while (true) {
                        Socket client = server.accept();
                        Socket upstream = new Socket(host, port);
                        sockets.add(client);
                        sockets.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    }
                }
                catch (IOException ex) {
                    // Closed.
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        synchronized void freeze() {
            frozen = true;
        }

        synchronized void thaw() {
            frozen = false;
            notifyAll();
        }

        private synchronized void awaitThawed() throws InterruptedException {
            while (frozen) {
                wait();
            }
        }

        private void pump(Socket from, Socket to) {
            daemon(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) > 0;) {
                        awaitThawed();
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
                catch (IOException | InterruptedException ex) {
                    // One side closed: so does the other.
                }
                finally {
                    close(from);
                    close(to);
                }
            });
        }

        private static void daemon(Runnable task) {
            Thread thread = new Thread(task, "freezing-proxy");
            thread.setDaemon(true);
            thread.start();
        }

        private static void close(Socket socket) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // Already closed.
            }
        }

        @Override
        public void close() throws IOException {
            thaw();
            server.close();
            sockets.forEach(FreezingProxy::close);
        }
    }
}
