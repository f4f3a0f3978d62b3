package com.helloapi.container;

import java.util.Arrays;
import java.util.UUID;

import com.helloapi.HelloApi;

import org.springframework.boot.SpringApplication;

/**
 * Starts HelloAPI in the container. The application is the same {@link HelloApi} that Lambda runs; what makes this
 * one a web server is Tomcat and Actuator on this module's classpath and {@code config/application.yaml}.
 * <p>
 * {@code migrate} as the first argument (the ECS migration task's command) migrates the schema and exits instead:
 * 0 once it is migrated, 1 if it could not be.
 */
public final class HelloApiContainer {

    static final String MIGRATE = "migrate";

    private HelloApiContainer() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && MIGRATE.equals(args[0])) {
            // Flyway migrates while the context refreshes; Spring then exits before anything starts serving (as the
            // image's AOT training run does). The run serves no request, so its cursor key is a throwaway.
            System.setProperty("spring.context.exit", "onRefresh");
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            String[] migrate = new String[rest.length + 2];
            migrate[0] = "--spring.flyway.enabled=true";
            migrate[1] = "--helloapi.cursor-secret=" + UUID.randomUUID() + UUID.randomUUID();
            System.arraycopy(rest, 0, migrate, 2, rest.length);
            try {
                SpringApplication.run(HelloApi.class, migrate);
            }
            catch (RuntimeException ex) {
                // Spring Boot has reported why; no thread left behind may keep the task running.
                System.exit(1);
            }
            return;
        }
        SpringApplication.run(HelloApi.class, args);
    }
}
