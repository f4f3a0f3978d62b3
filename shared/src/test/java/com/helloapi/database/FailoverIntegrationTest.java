package com.helloapi.database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.helloapi.testing.PostgresCluster;
import com.helloapi.testing.PostgresCluster.ShutdownMode;
import com.helloapi.testing.TcpProxy;
import com.helloapi.users.User;
import com.helloapi.users.Users;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ClassPathBeanDefinitionScanner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.type.filter.AssignableTypeFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An RDS Multi-AZ failover, on two real PostgreSQL 15 servers: a primary and a streaming standby made with
 * pg_basebackup, committing synchronously to it as Multi-AZ does. The application connects through a TCP proxy, the
 * stand-in for the endpoint's DNS name; the failover stops the primary at once, promotes the standby and points the
 * proxy at it. Without a restart, the application must write again within 30 s of the new primary accepting
 * connections, still read everything written before, and never report a write as done that the new primary does not
 * have: in particular, never write to a server in recovery (read-only). Three ways it happens: the primary gone and
 * the pool's connections cut; the endpoint naming the standby before its promotion; the old primary turned read-only
 * while the pool's connections to it stay open.
 * <p>
 * The application's data layer is started as the application starts it (its beans, its pool settings from
 * function/'s application.yaml, the {@code db.*} settings) and observed only through the {@link Users} bean.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailoverIntegrationTest {

    private static final String DATABASE = "helloapi_failover";

    /** From the new primary accepting connections to the application writing again. */
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);

    /** How long one write may take before the next one is tried (it still counts if it finishes later). */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

    /** Consecutive successful writes that make a recovery. */
    private static final int STABLE_WRITES = 5;

    /** How long writes are tried while the endpoint points at a standby still in recovery. */
    private static final Duration READ_ONLY_WINDOW = Duration.ofSeconds(3);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    private final AtomicInteger sequence = new AtomicInteger();

    private final ExecutorService writers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "failover-writer");
        thread.setDaemon(true);
        return thread;
    });

    private PostgresCluster primary;

    private PostgresCluster standby;

    private TcpProxy proxy;

    private Users users;

    @BeforeAll
    static void requireClusters() {
        assumeTrue(PostgresCluster.isAvailable(),
                "needs root and PostgreSQL 15 with postgresql-common (pg_createcluster) to make its own servers");
    }

    @BeforeEach
    void primaryStandbyProxyAndApplication() throws Exception {
        primary = track(PostgresCluster.create());
        primary.createDatabase(DATABASE);
        standby = track(primary.createStandby());
        // Multi-AZ commits synchronously to the standby: every write reported done survives the failover.
        primary.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
        primary.execute("SELECT pg_reload_conf()");
        awaitUntil(Duration.ofSeconds(10), "the standby replicating synchronously",
                () -> "1".equals(primary.query("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")));
        proxy = track(new TcpProxy(primary.host(), primary.port()));
        ConfigurableApplicationContext application = track(startApplication());
        users = application.getBean(Users.class);
    }

    @AfterEach
    void closeEverything() {
        writers.shutdownNow();
        RuntimeException failure = null;
        // The application first (its pool), then the proxy, then the standby and the primary.
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            }
            catch (Exception ex) {
                if (failure == null) {
                    failure = new IllegalStateException("Could not clean up", ex);
                }
                else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Test
    void afterAFailoverTheApplicationWritesToThePromotedStandbyWithoutARestart() throws Exception {
        List<User> before = writeUsersReplayedOnTheStandby();

        // Writes go on through the failover, as requests do.
        AtomicBoolean writing = new AtomicBoolean(true);
        Future<?> writer = writers.submit(() -> {
            while (writing.get()) {
                write("during");
                pause(20);
            }
        });
        pause(300);
        primary.stop(ShutdownMode.IMMEDIATE);
        standby.promote();
        long promoted = System.nanoTime();
        proxy.redirect(standby.host(), standby.port());
        proxy.cut();
        long switched = System.nanoTime();
        writing.set(false);
        writer.get(30, TimeUnit.SECONDS);

        Recovery recovery = awaitWritesRecover("after", promoted);

        report("primary stopped, standby promoted, proxy switched " + millis(switched - promoted)
                + " ms after the promotion", recovery);
        assertRecoveredWithEverythingOnTheNewPrimary(recovery, before);
    }

    @Test
    void writesFailWhileTheEndpointPointsAtAStandbyAndSucceedOnceItIsPromoted() throws Exception {
        List<User> before = writeUsersReplayedOnTheStandby();

        // The endpoint already names the standby, which is not promoted yet: a read-only server.
        primary.stop(ShutdownMode.IMMEDIATE);
        long primaryGone = System.nanoTime();
        proxy.redirect(standby.host(), standby.port());
        proxy.cut();
        long redirected = System.nanoTime();
        int attempts = 0;
        while (System.nanoTime() - redirected < READ_ONLY_WINDOW.toNanos()) {
            write("read-only");
            attempts++;
            pause(100);
        }
        long promoting = System.nanoTime();
        assertThat(standby.isInRecovery()).as("the standby was still in recovery while those writes ran").isTrue();
        List<Outcome> readOnlySuccesses = outcomes.stream()
            .filter(outcome -> outcome.succeeded() && outcome.endedNanos() > primaryGone
                    && outcome.endedNanos() < promoting)
            .toList();

        standby.promote();
        long promoted = System.nanoTime();
        Recovery recovery = awaitWritesRecover("promoted", promoted);

        report("endpoint on the standby before its promotion, " + attempts + " writes tried in "
                + millis(promoting - redirected) + " ms while it was read-only", recovery);
        assertThat(attempts).as("writes tried while the endpoint pointed at a standby").isGreaterThanOrEqualTo(2);
        assertThat(readOnlySuccesses).as("writes reported done while the only reachable server was in recovery")
            .isEmpty();
        assertRecoveredWithEverythingOnTheNewPrimary(recovery, before);
    }

    @Test
    void aPrimaryThatTurnsReadOnlyUnderThePoolsOpenConnectionsIsWrittenToNoMore() throws Exception {
        List<User> before = writeUsersReplayedOnTheStandby();
        int pooled = proxy.openConnections();

        // The old primary is demoted but stays up, and nothing cuts the pool's connections to it: every transaction
        // there is read-only from now on, as on a standby. The endpoint moves to the promoted standby.
        primary.execute("ALTER SYSTEM SET default_transaction_read_only = on");
        primary.execute("SELECT pg_reload_conf()");
        standby.promote();
        long promoted = System.nanoTime();
        proxy.redirect(standby.host(), standby.port());
        Recovery recovery = awaitWritesRecover("after", promoted);

        report("old primary read-only with " + pooled + " pooled connections still open to it, standby promoted, "
                + "proxy switched without cutting them", recovery);
        assertThat(pooled).as("connections open to the old primary when it turned read-only").isPositive();
        assertRecoveredWithEverythingOnTheNewPrimary(recovery, before);
        assertThat(emailsAndIdsOn(primary)).as("the old primary's users: none written after it turned read-only")
            .isEqualTo(emailsAndIds(before));
    }

    /**
     * The application's data layer as it starts: the configuration that the shared module's tests boot, with every
     * component of com.helloapi as HelloApi scans them (the DataSource of com.helloapi.database and whatever it
     * uses), the application's own settings, and the database behind the proxy.
     */
    private ConfigurableApplicationContext startApplication() throws ClassNotFoundException {
        Class<?> configuration = Class.forName("com.helloapi.users.UsersTestApplication");
        SpringApplication application = new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE)
            .build();
        application.addInitializers(context -> {
            ClassPathBeanDefinitionScanner scanner = new ClassPathBeanDefinitionScanner(
                    (BeanDefinitionRegistry) context);
            // Registered as the application's own source.
            scanner.addExcludeFilter(new AssignableTypeFilter(configuration));
            scanner.scan("com.helloapi");
        });
        List<String> arguments = new ArrayList<>(List.of("--spring.main.banner-mode=off",
                "--db.host=" + proxy.host(), "--db.port=" + proxy.port(), "--db.name=" + DATABASE,
                "--db.username=" + primary.superuser(), "--db.password=" + primary.superuserPassword(),
                "--db.sslmode=disable"));
        Path settings = applicationSettings();
        if (settings != null) {
            arguments.add("--spring.config.additional-location=optional:file:" + settings.toAbsolutePath());
        }
        return application.run(arguments.toArray(String[]::new));
    }

    /** The application.yaml that the container and the function both read (pool size, timeouts, lifetime). */
    private static @Nullable Path applicationSettings() {
        for (String candidate : List.of("../function/src/main/resources/application.yaml",
                "function/src/main/resources/application.yaml")) {
            Path path = Path.of(candidate);
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        return null;
    }

    private List<User> writeUsers(String label, int count) {
        List<User> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            User user = write(label);
            assertThat(user).as("write %d of %d before the failover: %s", i + 1, count, lastError()).isNotNull();
            written.add(user);
        }
        return written;
    }

    /**
     * One insert through the repository, its outcome recorded whenever it ends; the user if it succeeded within
     * {@link #WRITE_TIMEOUT}, else null.
     */
    private @Nullable User write(String label) {
        String email = label + "-" + sequence.incrementAndGet() + "@failover.example";
        long started = System.nanoTime();
        Future<User> insert = writers.submit(() -> {
            try {
                User user = users.insert("Failover " + label, email);
                outcomes.add(new Outcome(email, user, null, started, System.nanoTime()));
                return user;
            }
            catch (RuntimeException ex) {
                outcomes.add(new Outcome(email, null, ex, started, System.nanoTime()));
                throw ex;
            }
        });
        try {
            return insert.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException | TimeoutException ex) {
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Writes until {@link #STABLE_WRITES} in a row succeed or {@link #RECOVERY_LIMIT} from {@code since} passes. */
    private Recovery awaitWritesRecover(String label, long since) {
        long deadline = since + RECOVERY_LIMIT.toNanos();
        long firstSuccess = -1;
        int inARow = 0;
        int failures = 0;
        while (System.nanoTime() < deadline) {
            User user = write(label);
            if (user != null) {
                if (firstSuccess < 0) {
                    firstSuccess = System.nanoTime();
                }
                if (++inARow == STABLE_WRITES) {
                    long now = System.nanoTime();
                    return new Recovery(now <= deadline, millis(firstSuccess - since), millis(now - since), failures,
                            lastError());
                }
            }
            else {
                inARow = 0;
                failures++;
                pause(100);
            }
        }
        return new Recovery(false, firstSuccess < 0 ? -1 : millis(firstSuccess - since), -1, failures, lastError());
    }

    /**
     * What was written before the failover is readable through the application, and every write the application
     * reported done is in the new primary, under the id it reported.
     */
    /** Users written before the failover, once the standby has replayed them all. */
    private List<User> writeUsersReplayedOnTheStandby() throws SQLException {
        List<User> before = writeUsers("before", 20);
        primary.awaitReplayedOn(standby, Duration.ofSeconds(10));
        assertThat(emailsAndIdsOn(standby)).containsAllEntriesOf(emailsAndIds(before));
        return before;
    }

    /** Writes went through again within the limit of the promotion, and nothing reported written was lost. */
    private void assertRecoveredWithEverythingOnTheNewPrimary(Recovery recovery, List<User> before)
            throws SQLException {
        assertThat(recovery.recovered())
            .as("%d consecutive writes succeeded within %s of the standby's promotion; %s", STABLE_WRITES,
                    RECOVERY_LIMIT, recovery)
            .isTrue();
        assertEverythingReportedWrittenIsOnTheNewPrimary(before);
    }

    private void assertEverythingReportedWrittenIsOnTheNewPrimary(List<User> before) throws SQLException {
        for (User user : before) {
            assertThat(users.findUser(user.id())).as("user %d written before the failover", user.id()).contains(user);
        }
        Map<String, Long> onNewPrimary = emailsAndIdsOn(standby);
        Map<String, Long> reportedDone = new LinkedHashMap<>();
        outcomes.stream().filter(Outcome::succeeded).forEach(outcome -> reportedDone.put(outcome.email(),
                outcome.user().id()));
        assertThat(onNewPrimary).as("the new primary has every write the application reported done")
            .containsAllEntriesOf(reportedDone);
    }

    private static Map<String, Long> emailsAndIds(List<User> users) {
        Map<String, Long> emailsAndIds = new HashMap<>();
        users.forEach(user -> emailsAndIds.put(user.email(), user.id()));
        return emailsAndIds;
    }

    private static Map<String, Long> emailsAndIdsOn(PostgresCluster server) throws SQLException {
        Map<String, Long> emailsAndIds = new HashMap<>();
        try (Connection connection = server.connect(DATABASE); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT email, id FROM users")) {
            while (rows.next()) {
                emailsAndIds.put(rows.getString(1), rows.getLong(2));
            }
        }
        return emailsAndIds;
    }

    private String lastError() {
        for (int i = outcomes.size() - 1; i >= 0; i--) {
            Outcome outcome = outcomes.get(i);
            if (outcome.error() != null) {
                return describe(outcome.error());
            }
        }
        return "no write failed";
    }

    private static String describe(Throwable error) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(error);
        String rootMessage = (root != error) ? " <- " + root.getClass().getSimpleName() + ": " + root.getMessage()
                : "";
        return error.getClass().getSimpleName() + rootMessage;
    }

    private void report(String scenario, Recovery recovery) {
        Map<String, Integer> failures = new LinkedHashMap<>();
        outcomes.stream()
            .filter(outcome -> outcome.error() != null)
            .forEach(outcome -> failures.merge(describe(outcome.error()), 1, Integer::sum));
        long done = outcomes.stream().filter(Outcome::succeeded).count();
        System.out.printf("Failover (%s): %s; %d writes done, %d failed:%n", scenario, recovery, done,
                outcomes.size() - done);
        failures.forEach((failure, count) -> System.out.printf("  %3d x %s%n", count, failure));
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    private static void awaitUntil(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not " + what + " after " + timeout);
            }
            pause(50);
        }
    }

    @FunctionalInterface
    private interface Check {

        boolean holds() throws Exception;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** How one write ended: the user if it succeeded, else the error. */
    private record Outcome(String email, @Nullable User user, @Nullable Throwable error, long startedNanos,
            long endedNanos) {

        boolean succeeded() {
            return user != null;
        }
    }

    /**
     * @param recovered whether {@link #STABLE_WRITES} writes in a row succeeded in time
     * @param firstSuccessMillis from the new primary accepting connections to the first write that succeeded, -1 if
     * none did
     * @param stableMillis to the last of the writes in a row, -1 if they never came
     */
    private record Recovery(boolean recovered, long firstSuccessMillis, long stableMillis, int failedAttempts,
            String lastError) {

        @Override
        public String toString() {
            return "from the new primary accepting connections, the first write done after " + firstSuccessMillis
                    + " ms, " + STABLE_WRITES + " in a row after " + stableMillis + " ms, " + failedAttempts
                    + " writes failed or timed out meanwhile (last error: " + lastError + ")";
        }
    }
}
