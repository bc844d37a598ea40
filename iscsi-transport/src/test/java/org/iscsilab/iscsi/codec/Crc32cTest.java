package org.iscsilab.iscsi.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 3720 appendix B.4 test vectors, in the byte order they travel on the wire. */
class Crc32cTest {

    private static String wire(byte[] data) {
        ByteBuf b = Unpooled.wrappedBuffer(data);
        ByteBuf out = Unpooled.buffer(4).writeIntLE(Crc32c.of(b, 0, data.length));
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void thirtyTwoBytesOfZerosGiveAa36918a() {
        assertEquals("aa36918a", wire(new byte[32]));
    }

    @Test
    void thirtyTwoBytesOfOnesGive43aba862() {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) 0xFF);
        assertEquals("43aba862", wire(b));
    }

    @Test
    void thirtyTwoIncrementingBytesGive4e79dd46() {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) i;
        }
        assertEquals("4e79dd46", wire(b));
    }

    @Test
    void paddingIsPartOfTheDataDigest() {
        byte[] three = {1, 2, 3};
        byte[] four = {1, 2, 3, 0};
        assertEquals(
                Crc32c.of(Unpooled.wrappedBuffer(four), 0, 4),
                Crc32c.ofPadded(Unpooled.wrappedBuffer(three), 0, 3, 1));
    }
}
