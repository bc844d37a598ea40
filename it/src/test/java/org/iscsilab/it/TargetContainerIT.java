package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.guest.GuestRun;
import org.iscsilab.guest.LinuxGuest;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.testcontainers.IscsiTargetContainer;
import org.iscsilab.testkit.TargetControl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The target as users run it in their suites: the docker/ image through IscsiTargetContainer,
 * driven from the host by the Java initiator, libiscsi, QEMU and the Linux guest's kernel.
 */
class TargetContainerIT {
    private static final Duration T = Duration.ofSeconds(60);

    @BeforeAll
    static void engine() {
        TargetImage.requireEngine();
        ExternalProgram.require("iscsi-inq", "libiscsi-bin");
        ExternalProgram.require("qemu-io", "qemu-utils qemu-block-extra");
    }

    @Test
    void theJavaInitiatorLibiscsiAndQemuDoVerifiedIoOnTheContainer() throws Exception {
        try (IscsiTargetContainer target =
                TargetImage.container().withLun("ram:64M").withLun("ram:16M,block=4096")) {
            target.start();
            IscsiInitiator initiator = new IscsiInitiator();
            try {
                InitiatorSession s =
                        initiator
                                .login(
                                        new InetSocketAddress(
                                                target.portalHost(), target.portalPort()),
                                        InitiatorConfig.normal(target.iqn()))
                                .join();
                s.execute(LunAddress.encode(1), Cdbs.testUnitReady(), null, 0).join();
                byte[] data = new byte[64 * 4096];
                new Random(7).nextBytes(data);
                assertTrue(
                        s.execute(LunAddress.encode(1), Cdbs.write16(100, 64, false), data, 0)
                                .join()
                                .good());
                ScsiResult back =
                        s.execute(LunAddress.encode(1), Cdbs.read16(100, 64), null, data.length)
                                .join();
                assertArrayEquals(data, back.data());
                s.logout().join();
            } finally {
                initiator.close();
            }
            String inq = ExternalProgram.ok(T, "iscsi-inq", target.iscsiUrl(0));
            assertTrue(inq.contains("ISCSILAB"), inq);
            String io =
                    ExternalProgram.ok(
                            T,
                            "qemu-io",
                            "-f",
                            "raw",
                            "-c",
                            "write -P 0x5a 3M 256k",
                            "-c",
                            "read -P 0x5a 3M 256k",
                            target.iscsiUrl(0));
            assertFalse(io.contains("Pattern verification failed"), io);
        }
    }

    @Test
    void theReadmeExampleFaultAndRuntimeRulesThroughTheContainersAdminApi() throws Exception {
        try (IscsiTargetContainer target =
                TargetImage.container()
                        .withLun("ram:64M")
                        .withFault("medium-error,lun=0,lba=2048-2055,op=read")) {
            target.start();
            ExternalProgram.Result hit =
                    ExternalProgram.run(
                            T, "qemu-io", "-f", "raw", "-c", "read 1M 4k", target.iscsiUrl(0));
            assertTrue(
                    hit.output().contains("Input/output error") || hit.exitCode() != 0,
                    hit.output());
            List<EventLog.Event> fired = target.events(Map.of("type", "FAULT"));
            assertTrue(
                    fired.stream()
                            .anyMatch(e -> e.lun() == 0 && e.lba() == 2048 && e.blocks() == 8),
                    "the rule fired on QEMU's read of LBA 2048: " + fired);

            int busy =
                    target.addFault(
                            "check-condition,sense=NOT_READY/04/01,lun=0,op=read,lba=4096-4103");
            ExternalProgram.Result notReady =
                    ExternalProgram.run(
                            T, "qemu-io", "-f", "raw", "-c", "read 2M 4k", target.iscsiUrl(0));
            assertTrue(
                    target.events(Map.of("type", "COMMAND", "lun", "0")).stream()
                            .anyMatch(e -> e.lba() == 4096 && "CHECK_CONDITION".equals(e.status())),
                    notReady.output());
            target.removeFault(busy);
            String clean =
                    ExternalProgram.ok(
                            T, "qemu-io", "-f", "raw", "-c", "read 2M 4k", target.iscsiUrl(0));
            assertFalse(clean.contains("error"), clean);

            // the test kit's control interface, the same as for a target in the JVM
            TargetControl control = target.control();
            assertTrue(
                    control.events()
                                    .commands()
                                    .lun(0)
                                    .touching(4096, 4096)
                                    .status("CHECK_CONDITION")
                                    .count()
                            >= 1);
            assertEquals(1, control.addLun("ram:8M"));
            assertEquals(List.of(0, 1), control.luns());
            control.resizeLun(1, 16 << 20);
            control.removeLun(1);
            assertEquals(List.of(0), control.luns());
        }
    }

    @Test
    void aChapContainerLetsTheRightSecretInAndRefusesAWrongOne() throws Exception {
        try (IscsiTargetContainer target =
                TargetImage.container()
                        .withLun("ram:16M")
                        .withChap("suite-user", "suite-secret-0123")) {
            target.start();
            String url =
                    target.iscsiUrl(0).replace("iscsi://", "iscsi://suite-user%suite-secret-0123@");
            assertTrue(ExternalProgram.ok(T, "iscsi-inq", url).contains("ISCSILAB"));
            ExternalProgram.Result wrong =
                    ExternalProgram.run(
                            T,
                            "iscsi-inq",
                            target.iscsiUrl(0)
                                    .replace("iscsi://", "iscsi://suite-user%wrong-secret-99@"));
            assertNotEquals(0, wrong.exitCode(), wrong.output());
        }
    }

    @Test
    void theLinuxKernelAttachesToTheContainerThroughTheAdvertisedAddress() throws Exception {
        int portal = TargetImage.freePort();
        try (IscsiTargetContainer target =
                new IscsiTargetContainer(TargetImage.image())
                        .withHostNetwork(portal, TargetImage.freePort())
                        .withLun("ram:64M")
                        .withAdvertisedAddress(LinuxGuest.HOST_FROM_GUEST + ":" + portal)) {
            target.start();
            GuestRun run =
                    LinuxGuest.of(GuestSupport.image("6.1"))
                            .target(portal, target.iqn())
                            .timeout(Duration.ofMinutes(3))
                            .script(
                                    """
                    discover_and_login
                    d=$(disk_of_lun 0)
                    describe_disk "$d"
                    verify_region "$d" 4 8
                    logout_all
                    """)
                            .run();
            System.out.println(GuestSupport.timeline(run));
            GuestSupport.assertSucceeded(run);
            assertEquals("running", run.marker("DISK").orElseThrow().value("state"));
            assertEquals(1, run.markers("VERIFIED").size());
        }
    }
}
