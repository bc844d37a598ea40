package org.iscsilab.testkit;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.initiator.InitiatorSession;
import org.iscsilab.iscsi.initiator.IscsiInitiator;
import org.iscsilab.iscsi.initiator.ScsiResult;
import org.iscsilab.scsi.Cdbs;
import org.iscsilab.scsi.LunAddress;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseKey;

/**
 * One LUN of an iSCSI target as a disk, for tests that are not about SCSI: read and write by
 * logical block or by byte offset, flush, unmap, capacity and block size. It logs in with the
 * bundled Java initiator, takes the unit attentions a new I_T nexus gets, retries what Linux's SCSI
 * mid-layer retries, and throws a {@link ScsiCommandException} with status and sense when a command
 * still fails. {@link #execute} runs any CDB for tests that are about SCSI.
 *
 * <pre>{@code
 * try (BlockDevice disk = BlockDevice.connect(portal, "iqn.2026-01.org.iscsilab:target0", 0)) {
 *     disk.write(0, new byte[disk.blockSize()]);
 *     byte[] back = disk.read(0, 1);
 * }
 * }</pre>
 */
public final class BlockDevice implements AutoCloseable {
    /**
     * Retries of one command, as sd asks of the mid-layer for reads and writes (SD_MAX_RETRIES,
     * drivers/scsi/sd.h).
     */
    static final int MAX_RETRIES = 5;

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final IscsiInitiator initiator;
    private final InitiatorSession session;
    private final long lunField;
    private final int lun;
    private volatile long blocks;
    private volatile int blockSize;

    private BlockDevice(IscsiInitiator initiator, InitiatorSession session, int lun) {
        this.initiator = initiator;
        this.session = session;
        this.lun = lun;
        this.lunField = LunAddress.encode(lun);
    }

    /**
     * Logs in to {@code iqn} at {@code portal} and opens its LUN {@code lun}: the unit attentions
     * of the new nexus are taken and the capacity read, as sd does when it attaches a disk.
     */
    public static BlockDevice connect(InetSocketAddress portal, String iqn, int lun) {
        return connect(portal, InitiatorConfig.normal(iqn), lun);
    }

    /**
     * As {@link #connect(InetSocketAddress, String, int)}, logging in as {@code login} says (CHAP,
     * digests).
     */
    public static BlockDevice connect(InetSocketAddress portal, InitiatorConfig login, int lun) {
        String iqn = login.targetName();
        IscsiInitiator initiator = new IscsiInitiator(1);
        try {
            InitiatorSession session =
                    initiator
                            .login(portal, login)
                            .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            BlockDevice disk = new BlockDevice(initiator, session, lun);
            disk.command("TEST UNIT READY", Cdbs.testUnitReady(), null, 0);
            disk.readCapacity();
            return disk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            initiator.close();
            throw new IllegalStateException("interrupted while connecting to " + iqn, e);
        } catch (Exception e) {
            initiator.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "cannot open LUN "
                            + lun
                            + " of "
                            + iqn
                            + " at "
                            + portal
                            + ": "
                            + cause.getMessage(),
                    cause);
        }
    }

    /** The LUN this device is. */
    public int lun() {
        return lun;
    }

    /** Logical blocks, as READ CAPACITY(16) reported them last. */
    public long blocks() {
        return blocks;
    }

    /** Bytes per logical block (512 or 4096). */
    public int blockSize() {
        return blockSize;
    }

    public long capacityBytes() {
        return blocks * blockSize;
    }

    /** Reads {@code count} blocks from {@code lba}. */
    public byte[] read(long lba, int count) {
        requireRange(lba, count);
        return command(
                        "READ(16) LBA " + lba + " x " + count,
                        Cdbs.read16(lba, count),
                        null,
                        Math.multiplyExact(count, blockSize))
                .data();
    }

    /** Writes whole blocks from {@code lba}; {@code data} is a whole number of blocks. */
    public void write(long lba, byte[] data) {
        write(lba, data, false);
    }

    /** Writes whole blocks with FUA: on stable storage when this returns (SBC-4 §5.40). */
    public void writeDurably(long lba, byte[] data) {
        write(lba, data, true);
    }

    private void write(long lba, byte[] data, boolean fua) {
        if (data.length == 0 || data.length % blockSize != 0) {
            throw new IllegalArgumentException(
                    data.length + " bytes are not a whole number of " + blockSize + "-byte blocks");
        }
        int count = data.length / blockSize;
        requireRange(lba, count);
        command("WRITE(16) LBA " + lba + " x " + count, Cdbs.write16(lba, count, fua), data, 0);
    }

    /** Reads {@code length} bytes at byte {@code offset}; both a multiple of the block size. */
    public byte[] readBytes(long offset, int length) {
        requireAligned(offset, length);
        return read(offset / blockSize, length / blockSize);
    }

    /**
     * Writes {@code data} at byte {@code offset}; offset and length a multiple of the block size.
     */
    public void writeBytes(long offset, byte[] data) {
        requireAligned(offset, data.length);
        write(offset / blockSize, data);
    }

    /** SYNCHRONIZE CACHE(16) of the whole medium: every write before it is on stable storage. */
    public void flush() {
        command("SYNCHRONIZE CACHE(16)", Cdbs.synchronizeCache16(), null, 0);
    }

    /** UNMAP of {@code count} blocks from {@code lba} (a thin LUN reads them as zeros after). */
    public void unmap(long lba, int count) {
        requireRange(lba, count);
        byte[] parameters = Cdbs.unmapParameters(lba, count);
        command("UNMAP LBA " + lba + " x " + count, Cdbs.unmap(parameters.length), parameters, 0);
    }

    /**
     * Runs any CDB, with the same unit attention handling and retries; returns the result whatever
     * its status, for tests about SCSI itself.
     */
    public ScsiResult execute(byte[] cdb, byte[] dataOut, int dataInLength) {
        return send(cdb, dataOut, dataInLength);
    }

    /** Reads the capacity again, as sd revalidates a disk after CAPACITY DATA HAS CHANGED. */
    public void readCapacity() {
        ByteBuffer b =
                ByteBuffer.wrap(
                        command("READ CAPACITY(16)", Cdbs.readCapacity16(32), null, 32).data());
        blocks = b.getLong(0) + 1;
        blockSize = b.getInt(8);
    }

    /** Logs out and closes the connection. */
    @Override
    public void close() {
        try {
            session.close();
        } finally {
            initiator.close();
        }
    }

    /** Sends a command and fails unless it ends GOOD after the retries. */
    private ScsiResult command(String what, byte[] cdb, byte[] dataOut, int dataInLength) {
        ScsiResult r = send(cdb, dataOut, dataInLength);
        if (!r.good()) {
            throw new ScsiCommandException(what, r);
        }
        return r;
    }

    /**
     * One command with the retries of Linux's mid-layer (scsi_decide_disposition and
     * scsi_check_sense): BUSY and TASK SET FULL are retried after a pause; a UNIT ATTENTION, NOT
     * READY "becoming ready" (04/01) and ABORTED COMMAND are retried; CAPACITY DATA HAS CHANGED
     * (2A/09) also re-reads the capacity. Everything else is the command's answer.
     */
    private ScsiResult send(byte[] cdb, byte[] dataOut, int dataInLength) {
        long pauseMillis = 1;
        ScsiResult r = null;
        for (int attempt = 0; attempt <= MAX_RETRIES; attempt++) {
            r = once(cdb, dataOut, dataInLength);
            ScsiStatus status = ScsiStatus.fromCode(r.status());
            if (status == ScsiStatus.BUSY || status == ScsiStatus.TASK_SET_FULL) {
                pause(pauseMillis);
                pauseMillis = Math.min(100, pauseMillis * 4);
                continue;
            }
            SenseData sense = r.senseData();
            if (status != ScsiStatus.CHECK_CONDITION || sense == null) {
                return r;
            }
            if (sense.key() == SenseKey.UNIT_ATTENTION) {
                if (sense.asc() == 0x2A
                        && sense.ascq() == 0x09
                        && (cdb[0] & 0xFF) != ScsiOpcode.SERVICE_ACTION_IN_16) {
                    readCapacity();
                }
                continue;
            }
            boolean becomingReady =
                    sense.key() == SenseKey.NOT_READY
                            && sense.asc() == 0x04
                            && sense.ascq() == 0x01;
            if (becomingReady) {
                pause(pauseMillis);
                pauseMillis = Math.min(100, pauseMillis * 4);
                continue;
            }
            if (sense.key() != SenseKey.ABORTED_COMMAND) {
                return r;
            }
        }
        return r;
    }

    private ScsiResult once(byte[] cdb, byte[] dataOut, int dataInLength) {
        try {
            return session.execute(lunField, cdb, dataOut, dataInLength)
                    .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a command", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer to a command within " + COMMAND_TIMEOUT, e);
        } catch (Exception e) {
            Throwable cause =
                    e instanceof CompletionException || e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "the command did not complete: " + cause.getMessage(), cause);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a command", e);
        }
    }

    private void requireRange(long lba, int count) {
        if (lba < 0 || count <= 0 || lba + count > blocks) {
            throw new IllegalArgumentException(
                    "blocks "
                            + lba
                            + " to "
                            + (lba + count - 1)
                            + " are not on this "
                            + blocks
                            + "-block LUN");
        }
    }

    private void requireAligned(long offset, int length) {
        if (offset % blockSize != 0 || length % blockSize != 0) {
            throw new IllegalArgumentException(
                    "offset "
                            + offset
                            + " and length "
                            + length
                            + " must be multiples of the "
                            + blockSize
                            + "-byte block");
        }
    }
}
