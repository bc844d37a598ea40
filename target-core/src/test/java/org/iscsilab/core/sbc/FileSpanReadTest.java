package org.iscsilab.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.lu.DataInAllocator;
import org.iscsilab.core.lu.DataOutSource;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.core.lu.TaskAttribute;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.FileSpan;
import org.iscsilab.core.store.FileStore;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A READ of a file-backed unit answers with a span of the file, for the transport to send from the
 * file, when the transport takes spans and the read is large enough to gain from it; otherwise with
 * the bytes read into memory.
 */
class FileSpanReadTest {
    private static final ItNexus NEXUS =
            new ItNexus("iqn.2026-01.org.example:i,i,0x1", "iqn.t,t,0x1");

    @TempDir Path dir;
    private LogicalUnit lu;
    private byte[] contents;

    /** A transport that offers pooled data-in memory and, when asked to, file spans. */
    private record Transport(boolean spans) implements DataOutSource, DataInAllocator {
        @Override
        public CompletableFuture<ByteBuffer> receive(int length) {
            return DataOutSource.NONE.receive(length);
        }

        @Override
        public ByteBuffer allocateDataIn(int bytes) {
            return ByteBuffer.allocateDirect(bytes);
        }

        @Override
        public boolean sendsFromFiles() {
            return spans;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        Path disk = dir.resolve("disk.img");
        contents = new byte[1 << 20];
        new Random(3).nextBytes(contents);
        Files.write(disk, contents);
        lu =
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("t", 0),
                        new FileStore(disk, 0, false),
                        512,
                        false,
                        Runnable::run);
        read(new Transport(false), 0, 1); // takes the power-on unit attention
    }

    @AfterEach
    void tearDown() throws Exception {
        lu.close();
    }

    private ScsiOutcome read(Transport t, long lba, int blocks) {
        Cdb read10 = Cdb.of(0x28, 0, 0, 0, (int) (lba >> 8), (int) lba, 0, blocks >> 8, blocks, 0);
        return lu.execute(
                        new ScsiTask(NEXUS, 0, read10, 1, TaskAttribute.SIMPLE, blocks * 512, t, t))
                .join();
    }

    @Test
    void aLargeReadIsASpanOfTheFileWithItsBytes() throws Exception {
        ScsiOutcome o = read(new Transport(true), 16, 256);
        assertEquals(ScsiStatus.GOOD, o.status());
        FileSpan span = o.dataInFile();
        assertNotNull(span, "128 KiB for a transport that takes spans");
        assertEquals(16 * 512, span.position());
        assertEquals(256 * 512, span.length());
        assertEquals(256 * 512, o.dataInLength());
        assertEquals(256 * 512, o.commandDataLength());
        assertTrue(!o.dataIn().hasRemaining(), "nothing was read into memory");
        byte[] expected = Arrays.copyOfRange(contents, 16 * 512, 272 * 512);
        assertArrayEquals(expected, bytes(span.read()));
        assertArrayEquals(
                expected, bytes(o.inMemory().dataIn()), "and in memory when someone must look");
    }

    @Test
    void aSmallReadOrATransportWithoutSpansGetsTheBytesInMemory() {
        ScsiOutcome small = read(new Transport(true), 0, 8);
        assertNull(small.dataInFile(), "4 KiB: below FileSpan.MIN_LENGTH");
        assertArrayEquals(Arrays.copyOf(contents, 4096), bytes(small.dataIn()));
        ScsiOutcome noSpans = read(new Transport(false), 0, 256);
        assertNull(noSpans.dataInFile());
        assertArrayEquals(Arrays.copyOf(contents, 256 * 512), bytes(noSpans.dataIn()));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
