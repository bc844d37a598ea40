package org.iscsilab.core.sbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.iscsilab.core.lu.CommandDescriptor;
import org.iscsilab.core.lu.CommandSet;
import org.iscsilab.core.lu.LogicalUnit;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.lu.ScsiTask;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseException;

/**
 * SANITIZE (SBC-4 §5.23): OVERWRITE with an initialization pattern, BLOCK ERASE and CRYPTOGRAPHIC
 * ERASE (the medium then reads as zeros), and EXIT FAILURE MODE. Like a real device, an operation
 * takes time — the unit's sanitize duration — during which other commands get NOT READY, SANITIZE
 * IN PROGRESS with a progress indication; resets do not stop it (SBC-4 sanitize operations). With
 * IMMED the status comes at once, otherwise when the operation ends.
 */
public final class Sanitize {
    static final int OVERWRITE = 0x01;
    static final int BLOCK_ERASE = 0x02;
    static final int CRYPTOGRAPHIC_ERASE = 0x03;
    static final int EXIT_FAILURE_MODE = 0x1F;

    private Sanitize() {}

    public static void registerInto(CommandSet set) {
        for (int sa : new int[] {OVERWRITE, BLOCK_ERASE, CRYPTOGRAPHIC_ERASE, EXIT_FAILURE_MODE}) {
            set.add(
                    CommandDescriptor.withServiceAction(
                            ScsiOpcode.SANITIZE,
                            sa,
                            "SANITIZE",
                            String.format("48 %02x 00 00 00 00 00 ff ff 00", 0x80 | 0x20 | sa),
                            Sanitize::execute));
        }
    }

    static CompletableFuture<ScsiOutcome> execute(LogicalUnit lu, ScsiTask task) {
        Cdb cdb = task.cdb();
        int sa = cdb.u8(1) & 0x1F;
        int listLength = cdb.u16(7);
        boolean immed = cdb.bit(1, 7);
        if (cdb.bit(1, 6)) { // reserved
            throw SenseException.invalidFieldInCdb(1, 6);
        }
        for (int i = 2; i <= 6; i++) {
            if (cdb.u8(i) != 0) { // reserved bytes
                throw SenseException.invalidFieldInCdb(i);
            }
        }
        MediumAccess.requireWritable(lu);
        switch (sa) {
            case EXIT_FAILURE_MODE, BLOCK_ERASE, CRYPTOGRAPHIC_ERASE -> {
                if (listLength != 0) { // these take no parameter list
                    throw SenseException.invalidFieldInCdb(7);
                }
                if (sa == EXIT_FAILURE_MODE) {
                    return CompletableFuture.completedFuture(
                            ScsiOutcome.good()); // a sanitize never fails here
                }
                return lu.sanitize(() -> MediumAccess.eraseAll(lu), immed)
                        .thenApply(v -> ScsiOutcome.good());
            }
            case OVERWRITE -> {
                // SBC-4 §5.23.3: a 4-byte header and a pattern of 1 to block-size bytes
                if (listLength < 5 || listLength > lu.blockSize() + 4) {
                    throw SenseException.invalidFieldInCdb(7);
                }
                return task.dataOut()
                        .receive(listLength)
                        .thenCompose(
                                list -> {
                                    ByteBuffer p = list.duplicate();
                                    int base = p.position();
                                    boolean invert = (p.get(base) & 0x80) != 0;
                                    int passes = p.get(base) & 0x1F;
                                    int patternLength = p.getShort(base + 2) & 0xFFFF;
                                    if (passes == 0
                                            || patternLength == 0
                                            || patternLength > lu.blockSize()
                                            || patternLength + 4 != listLength) {
                                        throw SenseException.invalidFieldInCdb(7);
                                    }
                                    byte[] pattern = new byte[patternLength];
                                    p.get(base + 4, pattern);
                                    return lu.sanitize(
                                                    () -> overwrite(lu, pattern, passes, invert),
                                                    immed)
                                            .thenApply(v -> ScsiOutcome.dataOut(listLength));
                                });
            }
            default -> throw SenseException.invalidFieldInCdb(1, 4);
        }
    }

    /**
     * OWCOUNT passes of the pattern repeated through every block, inverted between passes when
     * asked.
     */
    private static void overwrite(LogicalUnit lu, byte[] pattern, int passes, boolean invert)
            throws IOException {
        int bs = lu.blockSize();
        for (int pass = 0; pass < passes; pass++) {
            boolean inverted = invert && pass % 2 == 1;
            byte[] block = new byte[bs];
            for (int i = 0; i < bs; i++) {
                block[i] =
                        (byte)
                                (inverted
                                        ? ~pattern[i % pattern.length]
                                        : pattern[i % pattern.length]);
            }
            int perChunk = Math.max(1, (1 << 20) / bs);
            ByteBuffer chunk = ByteBuffer.allocate(perChunk * bs);
            for (int i = 0; i < perChunk; i++) {
                chunk.put(block);
            }
            for (long lba = 0; lba < lu.blockCount(); ) {
                int n = (int) Math.min(perChunk, lu.blockCount() - lba);
                MediumAccess.write(lu, lba, chunk.duplicate().position(0).limit(n * bs), false);
                lba += n;
            }
        }
    }
}
