package com.helloapi.testing;

import java.util.List;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Points every Spring test context at {@link TestDatabase}, ahead of any DB_* in the environment, so a test run never
 * touches the database a developer configured for the application.
 */
class TestDatabaseContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return new TestDatabaseCustomizer();
    }

    /** Stateless, so equal for all test classes and the context cache can share contexts. */
    private record TestDatabaseCustomizer() implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context,
                MergedContextConfiguration mergedConfig) {
            context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("testDatabase", TestDatabase.shared().properties()));
            // Slices such as @DataJdbcTest use Boot's own DataSource rather than DatabaseConfiguration.
            TestDatabase database = TestDatabase.shared();
            context.getEnvironment()
                .getPropertySources()
                .addLast(new MapPropertySource("testDataSource", java.util.Map.of("spring.datasource.url",
                        database.jdbcUrl(), "spring.datasource.username", database.username, "spring.datasource.password", database.password)));
        }
    }
}
