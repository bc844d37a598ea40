package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.initiator.IscsiUrl;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension as a test class uses it: a target per class or per test, and what it injects. */
class IscsiTargetExtensionTest {
    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class OneTargetForTheClass {
        @RegisterExtension
        static IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:16M").lun("ram:1M");

        @Test
        @Order(1)
        void aTestGetsTheTargetADiskAndTheUrl(IscsiTarget t, BlockDevice disk, IscsiUrl url) {
            assertEquals(2, t.luns().size());
            assertEquals(t.portal().getPort(), url.port());
            assertEquals(0, url.lun());
            byte[] block = new byte[512];
            block[7] = 7;
            disk.write(5, block);
            t.add(Faults.mediumError().lun(0).reads());
        }

        @Test
        @Order(2)
        void theNextTestSeesTheDataButNotTheFaults(BlockDevice disk) {
            byte[] block = new byte[512];
            block[7] = 7;
            assertArrayEquals(block, disk.read(5, 1), "same target, same data; no fault rule left");
            assertTrue(target.target().faults().list().isEmpty());
        }
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class OneTargetResetBetweenTests {
        @RegisterExtension
        static IscsiTargetExtension target =
                IscsiTargetExtension.withLun("ram:1M").resetLunsBetweenTests();

        @Test
        @Order(1)
        void writes(BlockDevice disk) {
            disk.write(0, filled(9));
        }

        @Test
        @Order(2)
        void findsTheDiskAsItStarted(BlockDevice disk) {
            assertArrayEquals(new byte[512], disk.read(0, 1));
        }
    }

    /** A target from a launcher: the way a container joins; tests take its TargetControl. */
    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class ATargetFromALauncher {
        @RegisterExtension
        static IscsiTargetExtension target =
                IscsiTargetExtension.of(
                                () -> IscsiTarget.builder().lun("ram:1M").lun("ram:2M").start())
                        .resetLunsBetweenTests();

        @Test
        @Order(1)
        void aTestControlsTheTargetThroughTheInterface(
                TargetControl control, TestTarget running, BlockDevice disk) {
            assertEquals(List.of(0, 1), control.luns());
            assertTrue(running.url(1).endsWith("/1"), running.url(1));
            control.add(Faults.mediumError().lun(0).lbas(3, 3).reads());
            assertEquals(
                    SenseKey.MEDIUM_ERROR,
                    assertThrows(ScsiCommandException.class, () -> disk.read(3, 1)).senseKey());
            disk.write(0, filled(4));
        }

        @Test
        @Order(2)
        void theNextTestFindsNeitherTheFaultNorTheData(TargetControl control, BlockDevice disk) {
            assertArrayEquals(new byte[512], disk.read(3, 1), "no fault rule left");
            assertArrayEquals(new byte[512], disk.read(0, 1), "LUN 0 was reset");
        }

        @Test
        @Order(3)
        void itsConfigurationBelongsToTheLauncher() {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> target.lun("ram:1M"));
            assertTrue(e.getMessage().contains("launcher"), e.getMessage());
        }
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Nested
    class ATargetPerTest {
        @RegisterExtension IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:1M");

        @Test
        void eachTestStartsFromAnEmptyDisk(BlockDevice disk) {
            assertArrayEquals(new byte[512], disk.read(0, 1));
            disk.write(0, filled(1));
        }

        @Test
        void andAnotherOne(BlockDevice disk) {
            assertArrayEquals(new byte[512], disk.read(0, 1));
            disk.write(0, filled(2));
        }
    }

    /** Run by the test below through the JUnit engine, not by the build: its test fails. */
    static class AFailingSuite {
        @RegisterExtension
        static IscsiTargetExtension target = IscsiTargetExtension.withLun("ram:1M");

        @Test
        void failsAfterReading(BlockDevice disk) {
            disk.read(0, 1);
            throw new AssertionError("failed on purpose");
        }
    }

    @Test
    void aFailingTestsReportCarriesTheTargetsLastEventsAndItsLog() {
        Map<String, String> reported = new LinkedHashMap<>();
        EngineTestKit.engine("junit-jupiter")
                .selectors(DiscoverySelectors.selectClass(AFailingSuite.class))
                .execute()
                .allEvents()
                .reportingEntryPublished()
                .stream()
                .forEach(
                        e ->
                                e.getPayload(ReportEntry.class)
                                        .ifPresent(r -> reported.putAll(r.getKeyValuePairs())));
        assertEquals(List.of("iscsilab events", "iscsilab log"), List.copyOf(reported.keySet()));
        String events = reported.get("iscsilab events");
        assertTrue(events.contains("CommandEvent[") && events.contains("LoginEvent["), events);
        String log = reported.get("iscsilab log");
        assertTrue(
                log.contains("INFO TargetConnection - login: ") && log.contains("(normal)"), log);
    }
}
