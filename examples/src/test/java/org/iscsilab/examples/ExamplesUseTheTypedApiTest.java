package org.iscsilab.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The examples read as a test author's tests should: typed events and faults, no JSON, no LUN
 * numbers encoded by hand, no CDBs built by hand, no raw initiator sessions.
 */
@AnalyzeClasses(packages = "org.iscsilab.examples", importOptions = ImportOption.OnlyIncludeTests.class)
class ExamplesUseTheTypedApiTest {
    @ArchTest
    static final ArchRule noJson =
            noClasses()
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "com.fasterxml.jackson..",
                            "org.json..",
                            "com.google.gson..",
                            "jakarta.json..",
                            "javax.json..",
                            "org.iscsilab.server.admin..")
                    .because("events and faults come as typed records and builders");

    @ArchTest
    static final ArchRule noHandMadeWireValues =
            noClasses()
                    .should()
                    .dependOnClassesThat()
                    .haveFullyQualifiedName("org.iscsilab.scsi.LunAddress")
                    .orShould()
                    .dependOnClassesThat()
                    .haveFullyQualifiedName("org.iscsilab.scsi.Cdbs")
                    .orShould()
                    .dependOnClassesThat()
                    .haveFullyQualifiedName("org.iscsilab.iscsi.initiator.InitiatorSession")
                    .because("BlockDevice encodes the LUN, builds the CDBs and owns the session");
}
