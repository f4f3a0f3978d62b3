package com.helloapi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a server whose address can change, as a database endpoint's DNS name moves to
 * another host in a failover. Each accepted connection is forwarded to the target of the moment it was accepted;
 * {@link #redirect} changes the target of later connections only, as a DNS change does. Faults:
 * <ul>
 * <li>{@link #cut()} closes every open connection (both sides), as a server that went away;</li>
 * <li>{@link #stall()} keeps connections open, and accepts new ones, but forwards no byte in either direction until
 * {@link #resume()}, as a network that drops packets: what was sent meanwhile arrives afterwards, as TCP would
 * retransmit it.</li>
 * </ul>
 * Plain platform daemon threads, two per connection plus one accepting, so that it runs on Java 17.
 */
public final class TcpProxy implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ServerSocket server;

    private final String name;

    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    private final Object stallLock = new Object();

    private volatile InetSocketAddress target;

    private boolean stalled;

    private volatile boolean closed;

    private final AtomicInteger accepted = new AtomicInteger();

    /** Listens on an ephemeral port of 127.0.0.1 and forwards to {@code host:port}. */
    public TcpProxy(String host, int port) {
        this.target = InetSocketAddress.createUnresolved(host, port);
        this.name = "tcp-proxy-" + INSTANCES.incrementAndGet();
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1", ex);
        }
        daemon(this::acceptLoop, name + "-accept");
    }

    /** Where clients connect: 127.0.0.1. */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The target new connections go to, as {@code host:port}. */
    public String target() {
        InetSocketAddress current = target;
        return current.getHostString() + ":" + current.getPort();
    }

    /** New connections go to {@code host:port} from now on; open ones stay where they are (see {@link #cut()}). */
    public void redirect(String host, int port) {
        this.target = InetSocketAddress.createUnresolved(host, port);
    }

    /** Closes every open connection, both sides; new connections are accepted and go to the current target. */
    public void cut() {
        for (Link link : links) {
            link.close();
        }
    }

    /** Stops forwarding bytes, in both directions and on every connection, new ones included, until resumed. */
    public void stall() {
        synchronized (stallLock) {
            stalled = true;
        }
    }

    /** Forwards again, delivering what was held back. */
    public void resume() {
        synchronized (stallLock) {
            stalled = false;
            stallLock.notifyAll();
        }
    }

    public boolean isStalled() {
        synchronized (stallLock) {
            return stalled;
        }
    }

    /** Connections currently open through the proxy. */
    public int openConnections() {
        return links.size();
    }

    /** Connections accepted since the proxy started. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        }
        catch (IOException ex) {
            // Closing anyway.
        }
        resume();
        cut();
    }

    @Override
    public String toString() {
        return "TcpProxy[" + host() + ":" + port() + " -> " + target() + (isStalled() ? ", stalled" : "") + ", "
                + openConnections() + " open]";
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            }
            catch (IOException ex) {
                // Closed, or a failed accept: go on until closed.
                continue;
            }
            accepted.incrementAndGet();
            Link link = new Link(client, target);
            links.add(link);
            if (closed) {
                link.close();
                break;
            }
            daemon(link::connectAndForward, name + "-link");
        }
    }

    /** Blocks while stalled; false once the link or the proxy is closed. */
    private boolean awaitFlowing(Link link) throws InterruptedException {
        synchronized (stallLock) {
            while (stalled && !link.isClosed()) {
                stallLock.wait(100);
            }
        }
        return !link.isClosed();
    }

    private static void daemon(Runnable task, String threadName) {
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** One client connection and its upstream. */
    private final class Link {

        private final Socket client;

        private final InetSocketAddress destination;

        private final Socket upstream = new Socket();

        private volatile boolean linkClosed;

        Link(Socket client, InetSocketAddress destination) {
            this.client = client;
            this.destination = destination;
        }

        void connectAndForward() {
            try {
                // A stalled network delivers no SYN either: connect only once bytes flow again.
                if (!awaitFlowing(this)) {
                    return;
                }
                InetSocketAddress resolved = new InetSocketAddress(destination.getHostString(),
                        destination.getPort());
                upstream.connect(resolved, CONNECT_TIMEOUT_MILLIS);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            }
            catch (IOException | InterruptedException ex) {
                // Target down or unreachable: the client sees its connection closed.
                close();
                return;
            }
            daemon(() -> pump(upstream, client), name + "-down");
            pump(client, upstream);
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0;) {
                    if (!awaitFlowing(this)) {
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            catch (IOException | InterruptedException ex) {
                // One side closed or was cut.
            }
            finally {
                close();
            }
        }

        boolean isClosed() {
            return linkClosed || closed;
        }

        void close() {
            linkClosed = true;
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
            synchronized (stallLock) {
                stallLock.notifyAll();
            }
        }

        private void closeQuietly(Socket socket) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // Already closed.
            }
        }
    }
}
