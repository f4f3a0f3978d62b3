package com.helloapi.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Gives every Spring test context the settings a deployment would: the database of {@link TestDatabase} (ahead of
 * any DB_* in the environment, so a test run never touches the database a developer configured for the application)
 * and a cursor-signing key.
 */
class TestSettingsContextCustomizerFactory implements ContextCustomizerFactory {

    static final String CURSOR_SECRET = "test-cursor-secret-shared-by-all-tasks";

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return new TestSettings();
    }

    /** Stateless, so equal for all test classes and the context cache can share contexts. */
    private record TestSettings() implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context,
                MergedContextConfiguration mergedConfig) {
            TestDatabase database = TestDatabase.shared();
            Map<String, Object> settings = new HashMap<>(database.properties());
            settings.put("helloapi.cursor-secret", CURSOR_SECRET);
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("testSettings", settings));
            // Slices such as @DataJdbcTest use Boot's own DataSource rather than DatabaseConfiguration.
            context.getEnvironment()
                .getPropertySources()
                .addLast(new MapPropertySource("testDataSource",
                        Map.of("spring.datasource.url", database.jdbcUrl(), "spring.datasource.username",
                                database.username(), "spring.datasource.password", database.password())));
        }
    }
}
