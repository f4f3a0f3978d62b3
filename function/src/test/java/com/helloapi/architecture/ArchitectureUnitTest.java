package com.helloapi.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Dependencies point one way: HTTP depends on the functions, the functions on the data, never back. */
class ArchitectureUnitTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("com.helloapi");

    @Test
    void functionsKnowNothingOfHttp() {
        noClasses().that()
            .resideInAPackage("com.helloapi.users")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.helloapi.users.web..", "com.helloapi.web..", "org.springframework.web..",
                    "org.springframework.http..", "jakarta.servlet..")
            .check(CLASSES);
    }

    @Test
    void sharedDataKnowsNothingOfWebOrLambda() {
        noClasses().that()
            .resideInAnyPackage("com.helloapi.database..", "com.helloapi.settings..")
            .or()
            .belongToAnyOf(com.helloapi.users.User.class, com.helloapi.users.Users.class)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.helloapi.users.web..", "com.helloapi.web..", "org.springframework.web..",
                    "jakarta.servlet..", "com.amazonaws.serverless..", "com.amazonaws.services.lambda..",
                    "org.springframework.cloud.function..")
            .check(CLASSES);
    }

    @Test
    void nothingDependsOnTheContainer() {
        noClasses().that()
            .resideOutsideOfPackage("com.helloapi.container..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("com.helloapi.container..")
            .check(CLASSES);
    }
}
