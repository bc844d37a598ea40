package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iscsilab.iscsi.initiator.DiscoveredTarget;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.server.EmbeddedTarget;
import org.iscsilab.server.config.ConfigFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line and the embedded target start targets through the same code: given the same
 * configuration file they answer an initiator alike, from SendTargets and the negotiated keys to
 * INQUIRY, the VPD pages that identify a LUN, READ CAPACITY and every mode page.
 */
class OneCompositionRootIT {
    private static final String CONFIG =
            """
            portals:
              - listen: 127.0.0.1:PORT
            admin: "off"
            nopInterval: 0
            targets:
              - iqn: iqn.2026-01.org.iscsilab:same
                alias: same-everywhere
                luns: [ram:64M, "ram:32M,block=4096,thin", "null:1T,ro"]
            """;

    @TempDir Path dir;

    /** Everything an initiator learns from a target, with the portal's port taken out. */
    private static Map<String, Object> answers(InetSocketAddress portal, String iqn)
            throws Exception {
        Map<String, Object> a = new LinkedHashMap<>();
        try (IscsiInitiator initiator = new IscsiInitiator()) {
            List<String> discovered = new ArrayList<>();
            for (DiscoveredTarget t :
                    initiator.discover(portal, InitiatorConfig.DEFAULT_INITIATOR)) {
                discovered.add(
                        t.name()
                                + " "
                                + t.addresses()
                                        .toString()
                                        .replace(":" + portal.getPort() + ",", ":PORT,"));
            }
            a.put("SendTargets", discovered);
            InitiatorSession s = initiator.login(portal, InitiatorConfig.normal(iqn)).join();
            a.put("negotiated", s.parameters());
            a.put("alias", s.targetAlias());
            a.put("portal group", s.portalGroupTag());
            for (int lun = 0; lun < 3; lun++) {
                long field = LunAddress.encode(lun);
                s.execute(field, Cdbs.testUnitReady(), null, 0)
                        .join(); // the power-on unit attention
                a.put(
                        lun + " INQUIRY",
                        data(s.execute(field, Cdbs.inquiry(false, 0, 255), null, 255).join()));
                a.put(
                        lun + " VPD 80h",
                        data(s.execute(field, Cdbs.inquiry(true, 0x80, 255), null, 255).join()));
                a.put(
                        lun + " VPD 83h",
                        data(s.execute(field, Cdbs.inquiry(true, 0x83, 1024), null, 1024).join()));
                a.put(
                        lun + " READ CAPACITY(16)",
                        data(s.execute(field, Cdbs.readCapacity16(32), null, 32).join()));
                a.put(
                        lun + " MODE SENSE(6) all pages",
                        data(s.execute(field, Cdbs.modeSense6(0x3F, 255), null, 255).join()));
            }
            s.logout().join();
        }
        return a;
    }

    private static String data(ScsiResult r) {
        assertTrue(r.good(), r.toString());
        return HexFormat.of().formatHex(r.data());
    }

    @Test
    void theCommandLineAndTheEmbeddedTargetGivenOneConfigAnswerAlike() throws Exception {
        Path config = dir.resolve("target.yaml");
        // one fixed port for both, one after the other: a LUN's identity includes the portal
        int fixedPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fixedPort = free.getLocalPort();
        }
        Files.writeString(config, CONFIG.replace("PORT", Integer.toString(fixedPort)));
        Map<String, Object> embedded;
        try (EmbeddedTarget t = EmbeddedTarget.start(ConfigFile.load(config))) {
            embedded = answers(t.address(), t.iqn());
        }
        Process p =
                new ProcessBuilder(
                                "java",
                                "-jar",
                                IscsilabJar.path().toString(),
                                "target",
                                "--config",
                                config.toString())
                        .redirectErrorStream(true)
                        .start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
            int port = -1;
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null && !line.contains("Ctrl-C"); ) {
                seen.append(line).append('\n');
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the target prints where it listens:\n" + seen);
            Map<String, Object> cli =
                    answers(
                            new InetSocketAddress("127.0.0.1", port),
                            "iqn.2026-01.org.iscsilab:same");
            assertEquals(embedded.keySet(), cli.keySet());
            for (String key : embedded.keySet()) {
                assertEquals(String.valueOf(embedded.get(key)), String.valueOf(cli.get(key)), key);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
