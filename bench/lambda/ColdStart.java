import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.tools.ToolProvider;

/**
 * Cold path of the Lambda package, from a new JVM to the first API Gateway v2 event answered, with and without
 * priming (what the SnapStart hook does before the snapshot). Not a test: run it through cold-start.sh, which
 * prepares the database; see docs/deploy-lambda.md for the numbers.
 *
 * <p>The parent unpacks function/target/helloapi-lambda.zip, compiles this file once, then starts one JVM per run
 * with the zip's class path only (classes + lib/*), as Lambda's Java runtime does; each child constructs the handler,
 * optionally primes, answers the event and prints one RESULT line.
 */
public final class ColdStart {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1].equals("primed"), Path.of(args[2]));
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path zip = Path.of("function/target/helloapi-lambda.zip");
        Path event = Path.of("function/src/test/resources/events/http-api-v2-list-users.json");
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--java" -> java = args[++i];
                case "--zip" -> zip = Path.of(args[++i]);
                case "--event" -> event = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("helloapi-coldstart");
        try {
            Path task = unzip(zip, work.resolve("task"));
            Path classes = Files.createDirectories(work.resolve("bench"));
            int compiled = ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "--release", "17", "-d", classes.toString(), "bench/lambda/ColdStart.java");
            if (compiled != 0) {
                throw new IllegalStateException("Could not compile ColdStart.java");
            }
            String classpath = String.join(File.pathSeparator, classes.toString(), task.toString(),
                    task.resolve("lib").resolve("*").toString());
            System.out.printf(Locale.ROOT, "java: %s (%s)%nzip: %s, %d runs per mode%n", java, version(java), zip, runs);
            System.out.println("mode      init_ms  prime_ms  first_event_ms  jvm_to_first_answer_ms");
            for (String mode : List.of("unprimed", "primed")) {
                List<long[]> results = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    long[] result = run(java, classpath, mode, event.toAbsolutePath());
                    results.add(result);
                    System.out.printf(Locale.ROOT, "%-9s %7d  %8d  %14d  %22d%n", mode, result[0], result[1],
                            result[2], result[3]);
                }
                System.out.printf(Locale.ROOT, "%-9s %7d  %8d  %14d  %22d   (median)%n", mode, median(results, 0),
                        median(results, 1), median(results, 2), median(results, 3));
            }
        }
        finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static long[] run(String java, String classpath, String mode, Path event)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", classpath, "ColdStart", "--child", mode,
                event.toString());
        Map<String, String> environment = builder.environment();
        environment.putIfAbsent("MAIN_CLASS", "com.helloapi.HelloApi");
        environment.putIfAbsent("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains("RESULT ")) {
            throw new IllegalStateException("The child failed:\n" + output);
        }
        String[] fields = output.substring(output.indexOf("RESULT ") + 7).lines().findFirst().orElseThrow()
            .split(" ");
        long[] result = new long[4];
        for (int i = 0; i < 4; i++) {
            result[i] = Long.parseLong(fields[i]);
        }
        if (!fields[4].equals("200")) {
            throw new IllegalStateException("The event was answered with " + fields[4] + "\n" + output);
        }
        return result;
    }

    /** In the new JVM: construct the handler as Lambda does, maybe prime, answer one event. */
    private static void child(boolean primed, Path event) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        byte[] request = Files.readAllBytes(event);
        Class<?> handlerClass = Class.forName("com.helloapi.lambda.LambdaHandler");
        Object handler = handlerClass.getConstructor().newInstance();
        long ready = System.currentTimeMillis();
        if (primed) {
            handlerClass.getMethod("prime").invoke(handler);
        }
        long primedAt = System.currentTimeMillis();
        Method handleRequest = handlerClass.getMethod("handleRequest", InputStream.class, OutputStream.class,
                Class.forName("com.amazonaws.services.lambda.runtime.Context"));
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        handleRequest.invoke(handler, new ByteArrayInputStream(request), answer, null);
        long answered = System.currentTimeMillis();
        String response = answer.toString(StandardCharsets.UTF_8);
        String status = response.replaceAll("(?s).*\"statusCode\":(\\d+).*", "$1");
        System.out.println("RESULT " + (ready - jvmStart) + " " + (primedAt - ready) + " " + (answered - primedAt) + " "
                + (answered - jvmStart) + " " + status);
        System.exit(0);
    }

    private static Path unzip(Path zip, Path target) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : file.stream().toList()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("Entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                }
                else {
                    Files.createDirectories(path.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, path);
                    }
                }
            }
        }
        return target;
    }

    private static String version(String java) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true)
            .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output.lines().filter(line -> line.contains("java.runtime.version"))
            .map(line -> line.substring(line.indexOf('=') + 1).strip()).findFirst().orElse("?");
    }

    private static long median(List<long[]> results, int field) {
        long[] values = results.stream().mapToLong(result -> result[field]).sorted().toArray();
        return values[values.length / 2];
    }
}
