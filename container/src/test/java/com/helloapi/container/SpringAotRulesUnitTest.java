package com.helloapi.container;

import java.lang.annotation.Annotation;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Profile;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

/**
 * The image runs Spring AOT, which decides every condition when the jar is built: a setting that picks beans through a
 * condition would be silently frozen there. The application's own settings are read by its beans instead.
 */
class SpringAotRulesUnitTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("com.helloapi");

    @Test
    void noSettingChoosesBeansThroughACondition() {
        for (Class<? extends Annotation> condition : List.of(ConditionalOnProperty.class,
                ConditionalOnBooleanProperty.class, Profile.class)) {
            noClasses().should().beAnnotatedWith(condition).check(CLASSES);
            noMethods().should().beAnnotatedWith(condition).check(CLASSES);
        }
    }
}
