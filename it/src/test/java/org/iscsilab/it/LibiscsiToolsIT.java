package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libiscsi's command-line tools discover and query the target. */
class LibiscsiToolsIT {
    static EmbeddedTarget target;

    @BeforeAll
    static void start() throws Exception {
        ExternalProgram.require("iscsi-ls", "libiscsi-bin");
        target = EmbeddedTarget.start("ram:256M", "ram:64M,block=4096");
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    private static String portalUrl() {
        return "iscsi://127.0.0.1:" + target.address().getPort();
    }

    @Test
    void iscsiLsDiscoversTheTargetAndItsPortal() throws Exception {
        String out = ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-ls", portalUrl());
        assertTrue(
                out.contains(
                        "Target:"
                                + target.iqn()
                                + " Portal:127.0.0.1:"
                                + target.address().getPort()
                                + ",1"),
                out);
    }

    @Test
    void iscsiLsShowsBothLuns() throws Exception {
        String out = ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-ls", "-s", portalUrl());
        assertTrue(out.contains("Lun:0") && out.contains("Lun:1"), out);
    }

    @Test
    void iscsiInqReportsTheVendorAndProduct() throws Exception {
        String out = ExternalProgram.ok(Duration.ofSeconds(30), "iscsi-inq", target.libiscsiUrl(0));
        assertTrue(out.contains("Vendor:ISCSILAB"), out);
        assertTrue(out.contains("Product:EMULATED DISK"), out);
        assertTrue(out.contains("Peripheral Device Type:DIRECT_ACCESS"), out);
    }

    @Test
    void iscsiInqReadsTheUnitSerialNumberPage() throws Exception {
        String out =
                ExternalProgram.ok(
                        Duration.ofSeconds(30),
                        "iscsi-inq",
                        "-e",
                        "1",
                        "-c",
                        "128",
                        target.libiscsiUrl(0));
        String serial = target.device().logicalUnit(0).identity().serial();
        assertTrue(out.contains(serial), out);
    }

    @Test
    void iscsiReadcapacity16ReportsSizeAndBlockLength() throws Exception {
        String out =
                ExternalProgram.ok(
                        Duration.ofSeconds(30), "iscsi-readcapacity16", target.libiscsiUrl(1));
        assertTrue(out.contains("LOGICAL BLOCK LENGTH IN BYTES:4096"), out);
        assertTrue(out.contains("RETURNED LOGICAL BLOCK ADDRESS:16383"), out);
        assertTrue(out.contains("Total size:67108864"), out);
    }
}
