package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.iscsilab.server.EmbeddedTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** QEMU's iSCSI block driver (libiscsi inside qemu-io and qemu-img) does verified I/O. */
class QemuIT {
    static EmbeddedTarget target;

    @BeforeAll
    static void start() throws Exception {
        ExternalProgram.require("qemu-io", "qemu-utils qemu-block-extra");
        ExternalProgram.require("qemu-img", "qemu-utils qemu-block-extra");
        target = EmbeddedTarget.start("ram:256M", "ram:256M,block=4096", "ram:64M", "ram:64M");
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    /** A QEMU --image-opts string for a LUN, optionally with CRC32C header digests. */
    private static String imageOpts(int lun, boolean headerDigest) {
        return "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=127.0.0.1:"
                + target.address().getPort()
                + ",file.target="
                + target.iqn()
                + ",file.lun="
                + lun
                + (headerDigest ? ",file.header-digest=crc32c" : ",file.header-digest=none");
    }

    @ParameterizedTest(name = "LUN {0}, header digest {1}")
    @CsvSource({"0,false", "0,true", "1,false", "1,true"})
    void qemuIoWritesDistinctPatternsAndReadsThemBackVerified(int lun, boolean headerDigest)
            throws Exception {
        String[][] writes = {
            {"0x11", "0", "4k"},
            {"0x22", "1M", "64k"},
            {"0x33", "7M", "1M"},
            {"0x44", "100M", "3M"},
            {"0x55", "255M", "1M"}
        };
        int base = lun * 16 + (headerDigest ? 8 : 0);
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "--image-opts"));
        for (String[] w : writes) {
            cmd.add("-c");
            cmd.add("write -P " + pattern(w[0], base) + " " + w[1] + " " + w[2]);
        }
        for (String[] w : writes) {
            cmd.add("-c");
            cmd.add("read -P " + pattern(w[0], base) + " " + w[1] + " " + w[2]);
        }
        cmd.add("-c");
        cmd.add("read -P 0 200M 64k"); // never written: zeros
        cmd.add(imageOpts(lun, headerDigest));
        ExternalProgram.Result r = ExternalProgram.run(Duration.ofMinutes(2), cmd);
        assertTrue(r.exitCode() == 0, r.output());
        assertFalse(r.output().contains("Pattern verification failed"), r.output());
        assertFalse(r.output().toLowerCase().contains("error"), r.output());
        assertTrue(r.output().contains("read 65536/65536 bytes at offset 209715200"), r.output());
    }

    private static String pattern(String hex, int base) {
        return "0x" + Integer.toHexString((Integer.decode(hex) + base) & 0xFF);
    }

    @Test
    void qemuImgConvertCopiesSixtyFourMebibytesInAndOutByteIdentical(@TempDir Path dir)
            throws Exception {
        Path in = dir.resolve("in.img");
        byte[] data = new byte[64 << 20];
        new Random(64).nextBytes(data);
        Files.write(in, data);
        String url = target.libiscsiUrl(0);
        ExternalProgram.ok(
                Duration.ofMinutes(2),
                "qemu-img",
                "convert",
                "-n",
                "-f",
                "raw",
                "-O",
                "raw",
                in.toString(),
                url);
        Path out = dir.resolve("out.img");
        ExternalProgram.ok(
                Duration.ofMinutes(2),
                "qemu-img",
                "convert",
                "-O",
                "raw",
                "--image-opts",
                imageOpts(0, true),
                out.toString());
        byte[] back = Files.readAllBytes(out);
        assertTrue(back.length == 256 << 20, "the whole LUN was copied out");
        assertArrayEquals(data, Arrays.copyOf(back, data.length));
    }

    /**
     * A file LUN's large reads go out with sendfile: QEMU copies 64 MiB in and out of one, with and
     * without header digests, byte-identical, and the target counts the bytes it sent from the
     * file.
     */
    @ParameterizedTest(name = "header digest {0}")
    @CsvSource({"false", "true"})
    void qemuImgCopiesInAndOutOfAFileLunWhoseReadsGoOutFromTheFile(
            boolean headerDigest, @TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.img");
        byte[] data = new byte[64 << 20];
        new Random(headerDigest ? 65 : 66).nextBytes(data);
        Files.write(in, data);
        try (EmbeddedTarget fileTarget =
                EmbeddedTarget.start("file:" + dir.resolve("lun.img") + ":64M")) {
            String opts =
                    "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=127.0.0.1:"
                            + fileTarget.address().getPort()
                            + ",file.target="
                            + fileTarget.iqn()
                            + ",file.lun=0"
                            + ",file.header-digest="
                            + (headerDigest ? "crc32c" : "none");
            ExternalProgram.ok(
                    Duration.ofMinutes(2),
                    "qemu-img",
                    "convert",
                    "-n",
                    "-f",
                    "raw",
                    "--target-image-opts",
                    in.toString(),
                    opts);
            Path out = dir.resolve("out.img");
            ExternalProgram.ok(
                    Duration.ofMinutes(2),
                    "qemu-img",
                    "convert",
                    "-O",
                    "raw",
                    "--image-opts",
                    opts,
                    out.toString());
            assertArrayEquals(data, Files.readAllBytes(out));
            double fromFile =
                    fileTarget
                            .server()
                            .metrics()
                            .registry()
                            .get("iscsi.target.data.sent.from.file")
                            .counter()
                            .count();
            assertTrue(
                    fromFile >= 32 << 20, "most of the 64 MiB went out from the file: " + fromFile);
        }
    }

    /**
     * {@code qemu-img convert -C} insists on copy offloading: QEMU sends EXTENDED COPY to the
     * destination LUN naming both LUNs by their NAA designators, and the data never crosses the
     * wire.
     */
    @Test
    void qemuImgConvertWithCopyOffloadingUsesExtendedCopyBetweenTwoLuns(@TempDir Path dir)
            throws Exception {
        Path in = dir.resolve("in.img");
        byte[] data = new byte[64 << 20];
        new Random(83).nextBytes(data);
        Files.write(in, data);
        ExternalProgram.ok(
                Duration.ofMinutes(2),
                "qemu-img",
                "convert",
                "-n",
                "-f",
                "raw",
                "-O",
                "raw",
                in.toString(),
                target.libiscsiUrl(2));
        ExternalProgram.ok(
                Duration.ofMinutes(2),
                "qemu-img",
                "convert",
                "-C",
                "-n",
                "-f",
                "raw",
                "-O",
                "raw",
                target.libiscsiUrl(2),
                target.libiscsiUrl(3));
        Path out = dir.resolve("out.img");
        ExternalProgram.ok(
                Duration.ofMinutes(2),
                "qemu-img",
                "convert",
                "-O",
                "raw",
                target.libiscsiUrl(3),
                out.toString());
        assertArrayEquals(data, Files.readAllBytes(out));
    }
}
