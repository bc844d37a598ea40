package org.iscsilab.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the harness reads the guest's console, and the archive it appends to the initramfs. */
class GuestRunTest {
    @Test
    void aNumberInAMarkerIsReadEvenWhenOtherOutputRanIntoItsLine() {
        GuestRun run = new GuestRun();
        GuestMarker pause = run.accept("@@ PAUSE M2 ms=5550go");
        assertEquals(5550, pause.number("ms", -1));
        assertEquals(-1, pause.number("writes", -1), "no such argument");
        assertEquals(-1, run.accept("@@ PROGRESS x writes=go").number("writes", -1));
    }

    @Test
    void markersAreFoundEvenWhenAKernelMessageRunsIntoTheSameLine() {
        GuestRun run = new GuestRun();
        run.accept("[    1.000000] early boot noise");
        run.accept("@@ BOOTED 6.1.0-56-cloud-amd64 2.75\r");
        run.accept("[   14.39] connection1:0: ping timeout of 5 secs expired");
        GuestMarker state = run.accept("[   14.40] sd 0:0:0:0: rej@@ STATE 14.41 sda blocked");
        run.accept("@@ STATE 14.52 sda blocked");
        run.accept("@@ AWAIT thaw");
        run.accept("@@ DISK sda vendor=ISCSILAB bytes=67108864");
        run.accept("@@ EXIT 0");

        assertEquals("STATE", state.kind());
        assertEquals(List.of("blocked"), run.sysfsStates());
        assertEquals("67108864", run.marker("DISK").orElseThrow().value("bytes"));
        assertEquals(0, run.exitCode());
        List<String> sources = run.timeline().stream().map(GuestRun.Row::source).toList();
        assertEquals(
                List.of("guest", "kernel", "guest", "guest", "guest", "guest"),
                sources,
                "kernel lines count from boot on; AWAIT is a handshake, not an event");
    }

    @Test
    void aKernelMessageWrittenBeforeAMarkersNewlineIsNotPartOfTheMarker() {
        GuestRun run = new GuestRun();
        run.accept("@@ BOOTED 6.12.48 2.1");
        run.accept(
                "@@ LOGGED_IN 10.0.2.2:33217[    5.512345] scsi 2:0:0:0: Direct-Access     ISCSILAB\r");
        run.accept("");
        assertEquals(List.of("10.0.2.2:33217"), run.marker("LOGGED_IN").orElseThrow().args());
        assertEquals(
                "scsi 2:0:0:0: Direct-Access     ISCSILAB",
                run.timeline().get(2).text(),
                "the kernel's message follows the marker in the timeline");
        assertEquals("kernel", run.timeline().get(2).source());
    }

    @Test
    void aRunSucceedsOnlyWhenTheScriptExitedZeroWithoutFailuresOrHostErrors() {
        GuestRun ok = new GuestRun();
        ok.accept("@@ BOOTED x 1");
        ok.accept("@@ EXIT 0");
        ok.ended(0, false);
        assertTrue(ok.succeeded());

        GuestRun failed = new GuestRun();
        failed.accept("@@ BOOTED x 1");
        failed.accept("@@ FAIL read back of sda at 0 MiB differs");
        failed.accept("@@ EXIT 1");
        failed.ended(0, false);
        assertEquals(
                List.of(
                        "guest: FAIL read back of sda at 0 MiB differs",
                        "the guest script exited 1"),
                failed.problems());

        GuestRun noBoot = new GuestRun();
        noBoot.ended(134, false);
        assertEquals(List.of("the guest did not boot (QEMU exit 134)"), noBoot.problems());

        GuestRun hostError = new GuestRun();
        hostError.accept("@@ BOOTED x 1");
        hostError.hostError("handler for 'freeze' failed");
        hostError.accept("@@ EXIT 0");
        hostError.ended(0, false);
        assertFalse(hostError.succeeded());
    }

    @Test
    void theAppendedArchiveIsNewcCpioThatCpioItselfReads() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("test.sh", "echo hi\n".getBytes(StandardCharsets.UTF_8));
        files.put("test.env", "A='1'\n".getBytes(StandardCharsets.UTF_8));
        byte[] archive = Cpio.newc(files, Set.of("test.sh"));
        assertEquals(0, archive.length % 4, "entries are padded to 4 bytes");
        assertEquals("070701", new String(archive, 0, 6, StandardCharsets.US_ASCII));
        String listing = cpioList(archive);
        if (listing != null) {
            assertTrue(listing.contains("-rwxr-xr-x") && listing.contains("test.sh"), listing);
            assertTrue(listing.contains("-rw-r--r--") && listing.contains("test.env"), listing);
        }
    }

    /** `cpio -itv` over the archive, or null where cpio is not installed. */
    private static String cpioList(byte[] archive) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("cpio", "-itv").redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        try (var in = new ByteArrayInputStream(archive);
                var out = p.getOutputStream()) {
            in.transferTo(out);
        }
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        return listing;
    }
}
