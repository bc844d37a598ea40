package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fault rules seen by real initiators: libiscsi's iscsi-inq and QEMU's qemu-io. */
class FaultInjectionIT {
    private static final String FROZEN = "iqn.2026-01.org.example:frozen";
    private static final String OTHER = "iqn.2026-01.org.example:other";
    private EmbeddedTarget target;

    @BeforeAll
    static void require() {
        ExternalProgram.require("iscsi-inq", "libiscsi-bin");
        ExternalProgram.require("qemu-io", "qemu-utils qemu-block-extra");
    }

    @BeforeEach
    void start() throws Exception {
        target = EmbeddedTarget.start("ram:64M");
    }

    @AfterEach
    void stop() {
        target.close();
    }

    private String imageOpts(String initiatorName) {
        return "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=127.0.0.1:"
                + target.address().getPort()
                + ",file.target="
                + target.iqn()
                + ",file.lun=0,file.initiator-name="
                + initiatorName;
    }

    @Test
    void aFrozenSessionTimesOutWhileAnotherInitiatorKeepsWorking() throws Exception {
        target.faults().add("freeze,initiator=" + FROZEN);
        ExternalProgram.Result frozen =
                ExternalProgram.run(
                        Duration.ofSeconds(20),
                        "timeout",
                        "4",
                        "iscsi-inq",
                        "-i",
                        FROZEN,
                        target.libiscsiUrl(0));
        assertEquals(
                124,
                frozen.exitCode(),
                "iscsi-inq got no answer and was timed out:\n" + frozen.output());
        String other =
                ExternalProgram.ok(
                        Duration.ofSeconds(20), "iscsi-inq", "-i", OTHER, target.libiscsiUrl(0));
        assertTrue(other.contains("ISCSILAB"), other);
    }

    @Test
    void liftingAFreezeLetsQemuIoFinishOnTheSameConnection(@TempDir Path dir) throws Exception {
        int rule = target.faults().add("freeze,initiator=" + FROZEN).id();
        File out = dir.resolve("qemu-io.log").toFile();
        Process qemu =
                new ProcessBuilder(
                                "qemu-io",
                                "--image-opts",
                                "-c",
                                "write -P 0x6b 1M 64k",
                                "-c",
                                "read -P 0x6b 1M 64k",
                                imageOpts(FROZEN))
                        .redirectErrorStream(true)
                        .redirectOutput(out)
                        .start();
        try {
            assertFalse(
                    qemu.waitFor(3, TimeUnit.SECONDS), "qemu-io waits while the session is frozen");
            assertEquals(
                    1,
                    target.events()
                            .count(
                                    e ->
                                            e.type() == EventLog.Type.LOGIN
                                                    && FROZEN.equals(e.initiator())
                                                    && "HELD".equals(e.status())),
                    "qemu-io's login waits, unanswered, like any request to a dead peer");
            target.faults().remove(rule);
            assertTrue(qemu.waitFor(30, TimeUnit.SECONDS), "qemu-io finished after the thaw");
            String log = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            assertEquals(0, qemu.exitValue(), log);
            assertTrue(log.contains("read 65536/65536 bytes at offset 1048576"), log);
            assertFalse(log.contains("Pattern verification failed"), log);
            assertEquals(
                    1,
                    target.events()
                            .count(
                                    e ->
                                            e.type() == EventLog.Type.LOGIN
                                                    && FROZEN.equals(e.initiator())
                                                    && "SUCCESS".equals(e.status())),
                    "one login, on the held connection: it resumed after the thaw");
        } finally {
            qemu.destroyForcibly();
        }
    }

    @Test
    void aMediumErrorRangeFailsQemuReadsThereAndNowhereElse() throws Exception {
        target.faults().add("medium-error,lun=0,lba=2048-2055,op=read");
        ExternalProgram.Result hit =
                ExternalProgram.run(
                        Duration.ofSeconds(30),
                        "qemu-io",
                        "--image-opts",
                        "-c",
                        "read 1M 4k",
                        imageOpts(OTHER));
        assertTrue(
                hit.output().contains("Input/output error") || hit.exitCode() != 0, hit.output());
        String clean =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "qemu-io",
                        "--image-opts",
                        "-c",
                        "read 0 4k",
                        "-c",
                        "read 2M 4k",
                        imageOpts(OTHER));
        assertFalse(clean.contains("error"), clean);
        assertTrue(target.events().count(e -> e.type() == EventLog.Type.FAULT) >= 1);
        List<EventLog.Event> failed =
                target.events()
                        .events(
                                e ->
                                        e.type() == EventLog.Type.COMMAND
                                                && "CHECK_CONDITION".equals(e.status())
                                                && e.lba() == 2048);
        assertFalse(failed.isEmpty(), "the event log shows the failed read at LBA 2048");
    }
}
