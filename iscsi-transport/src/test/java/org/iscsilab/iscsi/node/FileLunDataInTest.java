package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Large reads of a file LUN go out from the file itself (sendfile) when nothing has to look at the
 * bytes on the way: they carry exactly the file's bytes whatever the PDU sizes and digests, and a
 * fault rule that alters read data still applies.
 */
class FileLunDataInTest {
    private static final int BLOCKS = 2048; // 1 MiB of 512-byte blocks
    @TempDir static Path dir;
    static Path disk;
    static TestTarget target;
    static IscsiInitiator initiator;
    static byte[] contents;

    @BeforeAll
    static void start() throws Exception {
        disk = dir.resolve("disk.img");
        contents = new byte[BLOCKS * 512];
        new Random(7).nextBytes(contents);
        target = TestTarget.start("file:" + disk + ":8M");
        // written behind the target's back: a read must return what the file holds
        try (FileChannel f = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(contents), 1 << 20);
        }
        initiator = new IscsiInitiator(1);
    }

    @AfterAll
    static void stop() {
        initiator.close();
        target.close();
    }

    private static InitiatorSession login(
            boolean headerDigest, boolean dataDigest, int maxRecvDataSegment) {
        InitiatorSession s =
                initiator
                        .login(
                                target.address(),
                                InitiatorConfig.normal(target.iqn())
                                        .withDigests(headerDigest, dataDigest)
                                        .withBursts(
                                                maxRecvDataSegment, 1 << 20, 65536, true, false))
                        .join();
        s.execute(0, Cdbs.testUnitReady(), null, 0).join(); // takes the power-on unit attention
        return s;
    }

    /** Data-In bytes the target has sent from the file so far. */
    private static double sentFromFile() {
        return target.server()
                .metrics()
                .registry()
                .get("iscsi.target.data.sent.from.file")
                .counter()
                .count();
    }

    @ParameterizedTest(name = "header digest {0}, data digest {1}, MaxRecvDataSegmentLength {2}")
    @CsvSource({
        "false, false, 262144",
        "false, false, 8192",
        "true, false, 65536",
        "true, true, 262144"
    })
    void aLargeReadCarriesExactlyTheFilesBytes(
            boolean headerDigest, boolean dataDigest, int mrdsl) {
        InitiatorSession s = login(headerDigest, dataDigest, mrdsl);
        double before = sentFromFile();
        ScsiResult r =
                s.execute(0, Cdbs.read10((1 << 20) / 512, BLOCKS), null, contents.length).join();
        assertTrue(r.good(), r.toString());
        assertArrayEquals(contents, r.data());
        // from the file unless a data digest must be computed over the bytes
        assertEquals(dataDigest ? 0 : contents.length, sentFromFile() - before, 0.0);
        // and an unaligned span across the boundary of what was written
        ScsiResult part =
                s.execute(0, Cdbs.read10((1 << 20) / 512 - 8, 200), null, 200 * 512).join();
        assertTrue(part.good());
        byte[] expected = new byte[200 * 512];
        System.arraycopy(contents, 0, expected, 8 * 512, expected.length - 8 * 512);
        assertArrayEquals(expected, part.data(), "zeros before, the written bytes after");
        s.logout().join();
    }

    @ParameterizedTest(name = "data digest {0}")
    @CsvSource({"false", "true"})
    void aFaultRuleThatCorruptsReadsStillApplies(boolean dataDigest) {
        InitiatorSession s = login(false, dataDigest, 262144);
        int rule = target.faults().add("corrupt,lun=0,op=read,once").id();
        double before = sentFromFile();
        ScsiResult bad =
                s.execute(0, Cdbs.read10((1 << 20) / 512, BLOCKS), null, contents.length).join();
        assertTrue(bad.good());
        assertEquals(0, sentFromFile() - before, 0.0, "the fault needs the bytes in memory");
        for (int block = 0;
                block < BLOCKS;
                block++) { // the first byte of every block flipped, the rest intact
            assertEquals((byte) (contents[block * 512] ^ 0x01), bad.data()[block * 512]);
            assertEquals(contents[block * 512 + 1], bad.data()[block * 512 + 1]);
        }
        target.faults().remove(rule);
        assertArrayEquals(
                contents,
                s.execute(0, Cdbs.read10((1 << 20) / 512, BLOCKS), null, contents.length)
                        .join()
                        .data());
        s.logout().join();
    }
}
