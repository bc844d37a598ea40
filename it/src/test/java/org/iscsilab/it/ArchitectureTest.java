package org.iscsilab.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The direction of dependencies between the modules (see the design notes): each module depends
 * only on the ones before it, scsi, target-core, iscsi-transport, target-server, lld-host,
 * linux-guest, cli; and no package takes part in a cycle. A violation fails the build.
 */
class ArchitectureTest {
    private static final String SCSI = "org.iscsilab.scsi..";
    private static final String CORE = "org.iscsilab.core..";
    private static final String ISCSI = "org.iscsilab.iscsi..";
    private static final String SERVER = "org.iscsilab.server..";
    private static final String HOST = "org.iscsilab.host..";
    private static final String GUEST = "org.iscsilab.guest..";
    private static final String CLI = "org.iscsilab.cli..";
    private static final String KIT = "org.iscsilab.testkit..";

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("org.iscsilab");
    }

    private static void check(ArchRule rule) {
        rule.check(main);
    }

    @Test
    void noPackageTakesPartInACycle() {
        check(slices().matching("org.iscsilab.(**)").should().beFreeOfCycles());
    }

    @Test
    void theScsiVocabularyDependsOnNothingOfOurs() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage(SCSI)
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(CORE, ISCSI, SERVER, HOST, GUEST, CLI));
    }

    @Test
    void theScsiCoreKnowsNoTransportAndNoNetty() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage(CORE)
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(ISCSI, SERVER, HOST, GUEST, CLI, "io.netty.."));
    }

    @Test
    void theTransportHasNoCommandLineHttpYamlOrPrometheus() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage(ISCSI)
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                SERVER,
                                HOST,
                                GUEST,
                                CLI,
                                "picocli..",
                                "com.fasterxml.jackson.dataformat.yaml..",
                                "io.netty.handler.codec.http..",
                                "io.micrometer.prometheusmetrics..",
                                "io.prometheus.."));
    }

    @Test
    void theInitiatorSpeaksTheScsiVocabularyNotTheTargetCore() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage("org.iscsilab.iscsi.initiator..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(CORE, "org.iscsilab.iscsi.node.."));
    }

    @Test
    void theTargetServerKnowsNoHostModelGuestOrCommandLine() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage(SERVER)
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(HOST, GUEST, CLI, "picocli.."));
    }

    @Test
    void theHostModelKnowsNoGuestOrCommandLine() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage(HOST)
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(GUEST, CLI, "picocli.."));
    }

    @Test
    void theTestKitIsForTestsNoModuleButTheContainerModuleDependsOnIt() {
        check(
                noClasses()
                        .that()
                        .resideOutsideOfPackages(KIT, "org.iscsilab.testcontainers..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage(KIT));
    }

    @Test
    void theTestKitKnowsNoHostModelGuestOrCommandLine() {
        check(
                noClasses()
                        .that()
                        .resideInAPackage(KIT)
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(HOST, GUEST, CLI, "picocli.."));
    }

    @Test
    void theTargetLogsThroughItsOwnRecordOfTheLog() {
        check(
                noClasses()
                        .that()
                        .resideInAnyPackage(CORE, "org.iscsilab.iscsi.node..", SERVER)
                        .and()
                        .doNotHaveFullyQualifiedName("org.iscsilab.core.log.TargetLog")
                        .should()
                        .callMethod(LoggerFactory.class, "getLogger", Class.class)
                        .because(
                                "a failing test's report carries the target's log only from"
                                        + " loggers made by TargetLog.get"));
    }

    @Test
    void nothingButTheCommandLineImportsIt() {
        check(
                noClasses()
                        .that()
                        .resideOutsideOfPackage(CLI)
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage(CLI));
    }

    @Test
    void onlyTheCommandLineUsesPicocli() {
        check(
                noClasses()
                        .that()
                        .resideOutsideOfPackage(CLI)
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("picocli.."));
    }
}
