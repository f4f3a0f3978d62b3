package com.helloapi.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * A throwaway PostgreSQL 15 server of its own, made with Debian's postgresql-common tools ({@code pg_createcluster},
 * {@code pg_ctlcluster}, {@code pg_dropcluster}), for tests that need more than {@link TestDatabase} gives: stopping
 * a server, a streaming standby made with {@code pg_basebackup}, promoting it. Needs root (the tools run the server as
 * the {@code postgres} OS user): see {@link #isAvailable()}.
 * <p>
 * The server listens on 127.0.0.1 only, on a free port, and asks TCP clients for a password (scram-sha-256), also for
 * replication; its superuser is {@code postgres} with a random password. It is tuned for tests ({@code fsync=off},
 * small {@code shared_buffers}), so it is not crash-safe. {@link #close()} drops it, data and configuration; a JVM
 * shutdown hook drops it too if the test never did, and a cluster left behind by a JVM that was killed outright is
 * dropped by the next {@link #create()} on this machine.
 * <p>
 * Every external command runs with a time limit, and fails with its whole output in the exception's message.
 */
public final class PostgresCluster implements AutoCloseable {

    /** The PostgreSQL major version of every cluster. */
    public static final String VERSION = "15";

    private static final String HOST = "127.0.0.1";

    private static final String SUPERUSER = "postgres";

    private static final String REPLICATION_USER = "replicator";

    private static final String SOCKET_DIRECTORY = "/var/run/postgresql";

    private static final Path BIN = Path.of("/usr/lib/postgresql", VERSION, "bin");

    private static final String NAME_PREFIX = "helloapi_";

    /** helloapi_PID_STARTSECONDS_RANDOM: whose JVM made the cluster, to find those of JVMs that are gone. */
    private static final Pattern NAME_PATTERN = Pattern.compile("helloapi_(\\d+)_(\\d+)_[a-z0-9]+");

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private static final int START_ATTEMPTS = 3;

    private static final SecureRandom RANDOM = new SecureRandom();

    private static boolean swept;

    private final String name;

    private final int port;

    private final String superuserPassword;

    private final String replicationPassword;

    private final Thread shutdownHook;

    private boolean dropped;

    /** What each new cluster's postgresql.conf ends with. */
    private static final Map<String, String> SETTINGS = Map.ofEntries(Map.entry("listen_addresses", "'" + HOST + "'"),
            Map.entry("unix_socket_directories", "'" + SOCKET_DIRECTORY + "'"), Map.entry("max_connections", "50"),
            Map.entry("shared_buffers", "16MB"), Map.entry("fsync", "off"), Map.entry("wal_level", "replica"),
            Map.entry("max_wal_senders", "10"), Map.entry("hot_standby", "on"),
            Map.entry("password_encryption", "'scram-sha-256'"), Map.entry("ssl", "off"));

    /** Password authentication for every TCP client on 127.0.0.1; the postgres OS user over the local socket. */
    private static final String PG_HBA = """
            # Written by com.helloapi.testing.PostgresCluster
            local   all             postgres                                peer
            local   replication     postgres                                peer
            host    all             all             127.0.0.1/32            scram-sha-256
            host    replication     all             127.0.0.1/32            scram-sha-256
            """;

    private PostgresCluster(String name, int port, String superuserPassword, String replicationPassword) {
        this.name = name;
        this.port = port;
        this.superuserPassword = superuserPassword;
        this.replicationPassword = replicationPassword;
        this.shutdownHook = new Thread(this::drop, "postgres-cluster-drop-" + name);
    }

    /**
     * Whether clusters can be made here: postgresql-common and the PostgreSQL 15 server installed, and this JVM
     * running as root (for tests to {@code assumeTrue}).
     */
    public static boolean isAvailable() {
        return isRoot() && Stream.of("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters")
            .allMatch(tool -> Files.isExecutable(Path.of("/usr/bin", tool)))
                && Stream.of("postgres", "initdb", "pg_basebackup", "pg_isready", "psql")
                    .allMatch(tool -> Files.isExecutable(BIN.resolve(tool)))
                && runuser() != null;
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        }
        catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static @Nullable String runuser() {
        return Stream.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser")
            .filter(path -> Files.isExecutable(Path.of(path)))
            .findFirst()
            .orElse(null);
    }

    /** A new cluster, started, with a password for {@code postgres} and a replication user. */
    public static PostgresCluster create() {
        sweepClustersOfGoneJvms();
        String superuserPassword = randomToken(24);
        String replicationPassword = randomToken(24);
        PostgresCluster cluster = createStarted((created) -> { }, superuserPassword, replicationPassword);
        try {
            cluster.psql("ALTER ROLE " + SUPERUSER + " PASSWORD '" + superuserPassword + "'",
                    "CREATE ROLE " + REPLICATION_USER + " WITH REPLICATION LOGIN PASSWORD '" + replicationPassword
                            + "'");
            cluster.awaitConnectable();
            return cluster;
        }
        catch (RuntimeException ex) {
            cluster.closeAfterFailure(ex);
            throw ex;
        }
    }

    /**
     * A streaming replica of this cluster, started and in recovery, its WAL receiver streaming: a new cluster whose
     * data directory is a {@code pg_basebackup -R} of this one (so the same roles and passwords). Asynchronous unless
     * this cluster's {@code synchronous_standby_names} says otherwise.
     */
    public PostgresCluster createStandby() {
        PostgresCluster standby = createStarted(this::replaceDataWithBaseBackup, superuserPassword,
                replicationPassword);
        try {
            standby.awaitConnectable();
            if (!standby.isInRecovery()) {
                throw new IllegalStateException("Standby " + standby.name + " is not in recovery");
            }
            awaitStreamingTo(standby, READY_TIMEOUT);
            return standby;
        }
        catch (RuntimeException ex) {
            standby.closeAfterFailure(ex);
            throw ex;
        }
    }

    /** Creates a cluster (trying another port if the first one is taken meanwhile), prepares it and starts it. */
    private static PostgresCluster createStarted(Preparation preparation, String superuserPassword,
            String replicationPassword) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            PostgresCluster cluster = new PostgresCluster(newName(), freePort(), superuserPassword,
                    replicationPassword);
            try {
                cluster.createCluster();
                preparation.prepare(cluster);
                cluster.start();
                return cluster;
            }
            catch (RuntimeException ex) {
                cluster.closeAfterFailure(ex);
                last = ex;
                boolean portTaken = String.valueOf(ex.getMessage()).contains("Address already in use")
                        || String.valueOf(ex.getMessage()).contains("could not bind");
                if (!portTaken) {
                    throw ex;
                }
            }
        }
        throw last;
    }

    @FunctionalInterface
    private interface Preparation {

        void prepare(PostgresCluster created);
    }

    private void createCluster() {
        // Registered first: whatever happens from here on, the cluster is dropped.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // C.UTF-8 always exists on Debian, whatever locale the caller's environment names.
        run(List.of("pg_createcluster", "--port=" + port, "--start-conf=manual", "--locale=C.UTF-8", VERSION, name,
                "--", "--no-sync", "--auth-local=peer", "--auth-host=scram-sha-256"));
        try {
            // Appended rather than given to pg_createcluster (--pgoption quotes some values, not others): the last
            // occurrence of a setting wins. Both files keep their owner (postgres) and mode.
            StringBuilder settings = new StringBuilder("\n# Added by com.helloapi.testing.PostgresCluster\n");
            SETTINGS.forEach((setting, value) -> settings.append(setting).append(" = ").append(value).append('\n'));
            Files.writeString(configDirectory().resolve("postgresql.conf"), settings, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            Files.writeString(configDirectory().resolve("pg_hba.conf"), PG_HBA, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot write the configuration of cluster " + name, ex);
        }
    }

    /** Empties the new cluster's data directory and fills it with a base backup of this one. */
    private void replaceDataWithBaseBackup(PostgresCluster standby) {
        Path data = standby.dataDirectory();
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(data)).forEach(path -> {
                try {
                    Files.delete(path);
                }
                catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (IOException | UncheckedIOException ex) {
            throw new IllegalStateException("Cannot empty " + data + " for the base backup", ex);
        }
        // As the postgres OS user, so that the files are its own; the password in the environment, not in ps.
        ProcessBuilder backup = process(asPostgres(BIN.resolve("pg_basebackup").toString(), "--host=" + HOST,
                "--port=" + port, "--username=" + REPLICATION_USER, "--pgdata=" + data, "--write-recovery-conf",
                "--wal-method=stream", "--checkpoint=fast", "--no-sync", "--no-password"));
        backup.environment().put("PGPASSWORD", replicationPassword);
        run(backup, COMMAND_TIMEOUT);
    }

    /**
     * Starts the server and waits until it accepts connections. With pg_ctl itself, as pg_ctlcluster would run it
     * (the cluster's configuration file and log): pg_ctlcluster then probes the server for about 2 s more.
     */
    public synchronized void start() {
        try {
            // What pg_ctlcluster would make sure of: /run is a tmpfs, so this may be gone after a reboot.
            Path sockets = Path.of(SOCKET_DIRECTORY);
            if (!Files.isDirectory(sockets)) {
                run(List.of("install", "-d", "-m", "2775", "-o", SUPERUSER, "-g", SUPERUSER, SOCKET_DIRECTORY));
            }
            run(asPostgres(BIN.resolve("pg_ctl").toString(), "start", "--wait", "--timeout=30", "--silent",
                    "--pgdata=" + dataDirectory(), "--log=" + logFile(),
                    "--options=-c config_file=" + configDirectory().resolve("postgresql.conf")));
        }
        catch (IllegalStateException ex) {
            throw new IllegalStateException(ex.getMessage() + "\n" + logTail(20), ex);
        }
        awaitReady();
    }

    /** Stops the server in fast mode (open sessions are rolled back and disconnected). */
    public void stop() {
        stop(ShutdownMode.FAST);
    }

    /** Stops the server; no error if it is not running. */
    public synchronized void stop(ShutdownMode mode) {
        Result result = run(process(List.of("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, name, "stop",
                "--mode=" + mode.name().toLowerCase(Locale.ROOT))), COMMAND_TIMEOUT, false);
        // 2: was not running.
        if (result.exitCode() != 0 && result.exitCode() != 2) {
            throw result.failure();
        }
    }

    /** How {@link #stop(ShutdownMode)} shuts the server down (pg_ctl's modes). */
    public enum ShutdownMode {
        /** Waits for every session to end. */
        SMART,
        /** Rolls back and disconnects every session, then shuts down cleanly. */
        FAST,
        /** Quits at once, like a crash or a host that went away: the next start recovers from the WAL. */
        IMMEDIATE
    }

    /** Ends this standby's recovery and waits until it accepts writes. */
    public synchronized void promote() {
        run(List.of("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, name, "promote"));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                ResultSet recovery = statement.executeQuery("SELECT pg_is_in_recovery()");
                recovery.next();
                if (!recovery.getBoolean(1)) {
                    // Assigning a transaction id needs a server that accepts writes.
                    statement.execute("SELECT pg_current_xact_id()");
                    return;
                }
            }
            catch (SQLException ex) {
                last = ex;
            }
            sleep(50);
        }
        throw new IllegalStateException("Cluster " + name + " still does not accept writes " + READY_TIMEOUT
                + " after promote\n" + logTail(30), last);
    }

    public String name() {
        return name;
    }

    /** 127.0.0.1, the only address the server listens on. */
    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String superuser() {
        return SUPERUSER;
    }

    public String superuserPassword() {
        return superuserPassword;
    }

    /** A role with REPLICATION and LOGIN, what the standbys connect as. */
    public String replicationUser() {
        return REPLICATION_USER;
    }

    public String replicationPassword() {
        return replicationPassword;
    }

    /** {@code /etc/postgresql/15/NAME}: postgresql.conf, pg_hba.conf. */
    public Path configDirectory() {
        return Path.of("/etc/postgresql", VERSION, name);
    }

    /** {@code /var/lib/postgresql/15/NAME}. */
    public Path dataDirectory() {
        return Path.of("/var/lib/postgresql", VERSION, name);
    }

    /** {@code /var/log/postgresql/postgresql-15-NAME.log}. */
    public Path logFile() {
        return Path.of("/var/log/postgresql", "postgresql-" + VERSION + "-" + name + ".log");
    }

    /** The last lines of the server's log, for diagnostics. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (IOException | UncheckedIOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** A new connection to the {@code postgres} database, as the superuser, over TCP with its password. */
    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    /** A new connection to {@code database}, as the superuser. */
    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("password", superuserPassword);
        properties.setProperty("sslmode", "disable");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "60");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /** Runs statements in the {@code postgres} database, as the superuser. */
    public void execute(String sql) {
        executeIn("postgres", sql);
    }

    /** Runs statements in {@code database}, as the superuser. */
    public void executeIn(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("'" + sql + "' failed on " + this, ex);
        }
    }

    /** The first column of the first row of a query in {@code database} (null if no row or SQL NULL). */
    public @Nullable String queryIn(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
        catch (SQLException ex) {
            throw new IllegalStateException("'" + sql + "' failed on " + this, ex);
        }
    }

    /** The first column of the first row of a query in the {@code postgres} database. */
    public @Nullable String query(String sql) {
        return queryIn("postgres", sql);
    }

    /** Creates a database owned by the superuser. */
    public void createDatabase(String database) {
        execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
    }

    /** Whether the server is a standby still replaying WAL (and so refuses writes). */
    public boolean isInRecovery() {
        return queryForBoolean("SELECT pg_is_in_recovery()");
    }

    private boolean queryForBoolean(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() && rows.getBoolean(1);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("'" + sql + "' failed on " + this, ex);
        }
    }

    /** Waits until {@code standby} has replayed all the WAL this server has written so far. */
    public void awaitReplayedOn(PostgresCluster standby, Duration timeout) {
        String lsn = query("SELECT pg_current_wal_lsn()");
        long deadline = System.nanoTime() + timeout.toNanos();
        String check = "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn";
        while (!standby.queryForBoolean(check)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Standby " + standby.name + " has not replayed up to " + lsn
                        + " within " + timeout + " (replayed " + standby.query("SELECT pg_last_wal_replay_lsn()")
                        + ")");
            }
            sleep(20);
        }
    }

    /** Waits until this server's WAL sender streams to {@code standby}. */
    private void awaitStreamingTo(PostgresCluster standby, Duration timeout) {
        String check = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name = '"
                + VERSION + "/" + standby.name + "'";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!"1".equals(query(check))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Standby " + standby.name + " is not streaming from " + name
                        + " after " + timeout + "\n" + standby.logTail(30));
            }
            sleep(50);
        }
    }

    /** Waits until the server answers pg_isready on its TCP address. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Result result;
        do {
            result = run(process(List.of(BIN.resolve("pg_isready").toString(), "--host=" + HOST, "--port=" + port,
                    "--timeout=5")), Duration.ofSeconds(10), false);
            if (result.exitCode() == 0) {
                return;
            }
            sleep(100);
        }
        while (System.nanoTime() < deadline);
        throw new IllegalStateException("Cluster " + name + " not ready after " + READY_TIMEOUT + ": "
                + result.output() + "\n" + logTail(30));
    }

    /** Waits until the superuser can log in over TCP with its password. */
    private void awaitConnectable() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try (Connection connection = connect()) {
                return;
            }
            catch (SQLException ex) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot log in to " + this + "\n" + logTail(30), ex);
                }
            }
            sleep(100);
        }
    }

    /** psql as the postgres OS user over the local socket (peer authentication), stopping at the first error. */
    private void psql(String... statements) {
        List<String> command = new ArrayList<>(asPostgres(BIN.resolve("psql").toString(), "--no-psqlrc", "--quiet",
                "--set=ON_ERROR_STOP=1", "--host=" + SOCKET_DIRECTORY, "--port=" + port, "--dbname=postgres"));
        for (String statement : statements) {
            command.add("--command=" + statement);
        }
        run(command);
    }

    /** Drops the cluster (stopping it first), its data, configuration and log. Idempotent. */
    @Override
    public void close() {
        drop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (IllegalStateException ex) {
            // The JVM is shutting down: the hook runs (or ran) drop(), which is idempotent.
        }
    }

    private void closeAfterFailure(RuntimeException failure) {
        try {
            close();
        }
        catch (RuntimeException ex) {
            failure.addSuppressed(ex);
        }
    }

    private synchronized void drop() {
        if (dropped) {
            return;
        }
        dropped = true;
        dropCluster(name);
    }

    private static void dropCluster(String name) {
        RuntimeException failure = null;
        if (Files.isDirectory(Path.of("/etc/postgresql", VERSION, name))) {
            // Immediate: nothing to keep, and a clean shutdown could wait for a checkpoint or a standby.
            run(process(List.of("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, name, "stop",
                    "--mode=immediate")), COMMAND_TIMEOUT, false);
            Result result = run(process(List.of("pg_dropcluster", "--stop", VERSION, name)), COMMAND_TIMEOUT,
                    false);
            if (result.exitCode() != 0) {
                failure = result.failure();
            }
        }
        // Whatever pg_dropcluster left (or what a failed pg_createcluster made): only this cluster's own paths.
        for (Path leftover : List.of(Path.of("/etc/postgresql", VERSION, name),
                Path.of("/var/lib/postgresql", VERSION, name),
                Path.of("/var/log/postgresql", "postgresql-" + VERSION + "-" + name + ".log"))) {
            deleteRecursively(leftover);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
        catch (IOException | UncheckedIOException ex) {
            // Best effort.
        }
    }

    /**
     * Drops the clusters that PostgresCluster made in JVMs that are gone (killed before their shutdown hooks ran),
     * once per JVM. Only names of this class's own pattern, whose process id is no longer that JVM.
     */
    private static synchronized void sweepClustersOfGoneJvms() {
        if (swept) {
            return;
        }
        swept = true;
        Result clusters = run(process(List.of("pg_lsclusters", "--no-header")), COMMAND_TIMEOUT, false);
        if (clusters.exitCode() != 0) {
            return;
        }
        for (String line : clusters.output().split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length < 2 || !VERSION.equals(columns[0])) {
                continue;
            }
            Matcher matcher = NAME_PATTERN.matcher(columns[1]);
            if (matcher.matches() && !isAlive(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)))) {
                try {
                    dropCluster(columns[1]);
                }
                catch (RuntimeException ex) {
                    System.err.println("Could not drop the stale cluster " + columns[1] + ": " + ex.getMessage());
                }
            }
        }
    }

    /** Whether the process {@code pid} still runs and is the one that started at {@code startSeconds}. */
    private static boolean isAlive(long pid, long startSeconds) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = process.get().info().startInstant();
        // Unknown start: assume it is that JVM. A recycled pid started later than the name says.
        return started.isEmpty() || startSeconds == 0 || Math.abs(started.get().getEpochSecond() - startSeconds) <= 2;
    }

    private static String newName() {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(Instant::getEpochSecond).orElse(0L);
        return NAME_PREFIX + self.pid() + "_" + started + "_" + randomToken(6).toLowerCase(Locale.ROOT);
    }

    private static String randomToken(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder token = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            token.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("No free port on " + HOST, ex);
        }
    }

    private static List<String> asPostgres(String... command) {
        List<String> full = new ArrayList<>(List.of(String.valueOf(runuser()), "-u", SUPERUSER, "--"));
        full.addAll(List.of(command));
        return full;
    }

    /** No stdin (CI has none), and none of the caller's PG* variables (PGUSER, PGHOST...) to mislead the tools. */
    private static ProcessBuilder process(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File("/"))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(variable -> variable.startsWith("PG"));
        return builder;
    }

    private static Result run(List<String> command) {
        return run(process(command), COMMAND_TIMEOUT);
    }

    private static Result run(ProcessBuilder builder, Duration timeout) {
        Result result = run(builder, timeout, true);
        if (result.exitCode() != 0) {
            throw result.failure();
        }
        return result;
    }

    /**
     * Runs a command to its end or its timeout (then kills it and its children), its output and errors in a file,
     * so that a daemon it leaves behind (pg_ctl's postmaster) cannot hold a pipe open.
     */
    private static Result run(ProcessBuilder builder, Duration timeout, boolean throwOnTimeout) {
        Path output = null;
        try {
            output = Files.createTempFile("postgres-cluster-", ".out");
            builder.redirectErrorStream(true).redirectOutput(output.toFile());
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Result result = new Result(builder.command(), finished ? process.exitValue() : -1, text, !finished,
                    timeout);
            if (!finished && throwOnTimeout) {
                throw result.failure();
            }
            return result;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot run " + builder.command(), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + builder.command(), ex);
        }
        finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    private record Result(List<String> command, int exitCode, String output, boolean timedOut, Duration timeout) {

        IllegalStateException failure() {
            String what = timedOut ? "did not finish within " + timeout : "exited with " + exitCode;
            return new IllegalStateException(String.join(" ", command) + " " + what + ":\n" + output.strip());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        }
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + VERSION + "/" + name + " on " + HOST + ":" + port + "]";
    }
}
