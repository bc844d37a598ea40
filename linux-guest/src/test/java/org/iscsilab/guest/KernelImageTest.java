package org.iscsilab.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kernel image's release comes from its own setup header; its sdev_state offset if known. */
class KernelImageTest {
    @TempDir Path dir;

    /** The parts of an x86 boot sector the release is read from, around a version string. */
    private static byte[] bzImage(String version) {
        ByteBuffer b = ByteBuffer.allocate(0x1000).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0x1FE, (short) 0xAA55);
        b.putInt(0x202, 0x53726448); // "HdrS"
        b.putShort(0x20E, (short) 0x300); // the string lies at 0x300 + 0x200
        b.put(0x500, (version + " (builder@host) #1 SMP").getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    @Test
    void theReleaseIsTheFirstWordOfTheSetupHeadersVersionString() throws Exception {
        Path f = dir.resolve("bzImage-test");
        Files.write(f, bzImage("4.9.337"));
        KernelImage k = KernelImage.read(f);
        assertEquals("4.9.337", k.release());
        assertEquals("4.9", k.series());
        assertTrue(k.sdevStateOffset().isEmpty(), "an unknown build has no known offset");
    }

    @Test
    void anOffsetWrittenBesideTheImageIsUsed() throws Exception {
        Path f = dir.resolve("bzImage-5.4.1");
        Files.write(f, bzImage("5.4.1"));
        Files.writeString(dir.resolve("bzImage-5.4.1.sdev_state_offset"), "0x7a0\n");
        assertEquals(0x7a0, KernelImage.read(f).sdevStateOffset().getAsInt());
    }

    @Test
    void aFileThatIsNoBzImageIsRefusedByName() throws Exception {
        Path f = dir.resolve("vmlinux");
        Files.write(f, new byte[0x1000]);
        GuestException e = assertThrows(GuestException.class, () -> KernelImage.read(f));
        assertTrue(e.getMessage().contains("not an x86 bzImage"), e.getMessage());
    }
}
